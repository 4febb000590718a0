terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.environment.inputs.region
  default_tags {
    tags = var.proton_tags
  }
}

resource "aws_vpc" "main" {
  cidr_block           = var.environment.inputs.vpc_cidr
  enable_dns_hostnames = true
  tags = {
    Name = var.environment.name
  }
}
