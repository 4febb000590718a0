import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { lintCloudFormation } from "../../src/bundle/lint/cloudformation.js";

// Rendered with Jinja2 from copies of the example templates (see fixtures/lint/render.py).
const fixture = (name: string) => readFileSync(new URL(`fixtures/lint/${name}`, import.meta.url), "utf8");
const RENDERED = ["service-instance.frontend-dev.yaml", "service-instance.frontend-prod.yaml", "pipeline.yaml", "environment.dev.yaml"];
const where = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.line}: ${d.message}`);
const lint = (text: string) => lintCloudFormation(text, "out/cloudformation.yaml");
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split("\n").length;

const template = (resources: string, extra = "") => `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage:
    Type: String
${extra}Resources:
${resources}`;

describe("lintCloudFormation on valid templates", () => {
  it.each(RENDERED)("finds nothing wrong in the rendered example %s", (name) => {
    expect(lintCloudFormation(fixture(name), name)).toEqual([]);
  });

  it("understands every short form, as scalar, list and mapping", () => {
    const text = template(`  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      BucketName: !Join ['-', [!Ref Stage, !Select [0, !Split ['/', !Ref 'AWS::StackId']]]]
      Tags:
        - Key: zone
          Value: !Select [0, !GetAZs '']
        - Key: cidr
          Value: !Select [0, !Cidr [!ImportValue shared-cidr, 4, 8]]
        - Key: size
          Value: !FindInMap [Sizes, !Ref Stage, Count]
        - Key: tags
          Value: !ToJsonString {a: !Ref Stage}
        - Key: length
          Value: !Length [1, 2]
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: [Bucket]
    Properties:
      QueueName: !If [IsProd, !Sub '\${Stage}-\${Bucket.Arn}-\${AWS::Region}', !Ref 'AWS::NoValue']
      RedrivePolicy: !Base64
        Fn::Sub:
          - '\${Name}-\${!NotAVariable}'
          - Name: !GetAtt [Bucket, Arn]
`, `Mappings:
  Sizes:
    prod: {Count: 3}
Conditions:
  IsProd: !And
    - !Equals [!Ref Stage, prod]
    - !Not [!Equals [!Ref 'AWS::Region', cn-north-1]]
    - !Or [!Condition HasStage, !Equals [a, b]]
  HasStage: !Not [!Equals [!Ref Stage, '']]
`);
    expect(lint(text)).toEqual([]);
  });

  it("checks JSON templates in the long form", () => {
    const json = JSON.stringify({
      Parameters: { Stage: { Type: "String" } },
      Conditions: { IsProd: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] }, Either: { "Fn::Or": [{ Condition: "IsProd" }, { Condition: "IsProd" }] } },
      Resources: {
        Topic: { Type: "AWS::SNS::Topic", Condition: "Either" },
        Queue: { Type: "AWS::SQS::Queue", DependsOn: "Topic", Properties: { QueueName: { "Fn::Sub": "${Stage}-${Topic.TopicName}" } } },
      },
      Outputs: { Arn: { Condition: "IsProd", Value: { "Fn::GetAtt": ["Queue", "Arn"] } } },
    }, null, 2);
    expect(lint(json)).toEqual([]);
  });

  it("reads Condition inside a resource as an ordinary key (IAM policies have one), not a template condition", () => {
    const text = template(`  Role:
    Type: AWS::IAM::Role
    Metadata:
      Gate: {Condition: manual-approval}
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
            Condition:
              StringEquals: {aws:SourceAccount: !Ref 'AWS::AccountId'}
`);
    expect(lint(text)).toEqual([]);
  });

  it("knows the loop variable of Fn::ForEach and the literal \${!Name} of Sub", () => {
    const text = `Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [Orders, Payments]
    - Topic\${Name}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub '\${Name}-\${AWS::StackName}'
          DisplayName: !Ref Name
  Script:
    Type: AWS::SSM::Document
    Properties:
      Content: !Sub |
        echo "\${!HOME} \${AWS::Region}"
`;
    expect(lint(text)).toEqual([]);
  });
});

describe("lintCloudFormation on broken references", () => {
  const instance = fixture("service-instance.frontend-dev.yaml");

  it("names a misspelled !Ref at its line, with the name it probably meant", () => {
    const broken = instance.replace("TargetGroupArn: !Ref LoadBalancerTargetGroup\n          Type", "TargetGroupArn: !Ref LoadBalancerTargetGrop\n          Type");
    expect(lint(broken)).toEqual([{
      file: "out/cloudformation.yaml", line: lineOf(broken, "!Ref LoadBalancerTargetGrop"), column: 32, severity: "error", code: "cfn-ref-unknown",
      message: '!Ref LoadBalancerTargetGrop: no parameter or resource named "LoadBalancerTargetGrop" (did you mean "LoadBalancerTargetGroup"?)',
    }]);
  });

  it("suggests only names close enough to be typos", () => {
    const text = template("  A:\n    Type: AWS::SNS::Topic\n    Properties: {TopicName: !Ref B, DisplayName: !Ref stage}\n");
    expect(where(lint(text))).toEqual([
      '8: !Ref B: no parameter or resource named "B"',
      '8: !Ref stage: no parameter or resource named "stage" (did you mean "Stage"?)',
    ]);
  });

  it("checks DependsOn, in its string and list forms", () => {
    const broken = instance.replace("      - LoadBalancerListener", "      - LoadBalancerListner");
    expect(where(lint(broken))).toEqual([
      `${lineOf(broken, "- LoadBalancerListner")}: DependsOn LoadBalancerListner: no resource named "LoadBalancerListner" (did you mean "LoadBalancerListener"?)`,
    ]);
    expect(where(lint(template("  A:\n    Type: AWS::SNS::Topic\n    DependsOn: Stage\n")))).toEqual([
      '8: DependsOn Stage: no resource named "Stage" ("Stage" is a parameter)',
    ]);
  });

  it("checks !GetAtt in the A.B and [A, B] forms, and says when the name is a parameter", () => {
    const broken = instance
      .replace("ExecutionRoleArn: !GetAtt ServiceTaskDefExecutionRole.Arn", "ExecutionRoleArn: !GetAtt ServiceTaskDefExecutonRole.Arn")
      .replace("!GetAtt Service.Name]]", "!GetAtt [ContainerName, Name]]]");
    expect(where(lint(broken))).toEqual([
      `${lineOf(broken, "ServiceTaskDefExecutonRole")}: !GetAtt ServiceTaskDefExecutonRole.Arn: no resource named "ServiceTaskDefExecutonRole" (did you mean "ServiceTaskDefExecutionRole"?)`,
      `${lineOf(broken, "[ContainerName, Name]")}: !GetAtt ContainerName.Name: no resource named "ContainerName" ("ContainerName" is a parameter)`,
    ]);
    expect(where(lint(template("  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {'Fn::GetAtt': Nope}\n")))).toEqual([
      "9: Fn::GetAtt Nope: expected LogicalId.AttributeName",
    ]);
  });

  it("checks every \${Name} and \${Resource.Attribute} of a Sub, at its own line in a block", () => {
    const text = template(`  Instance:
    Type: AWS::EC2::Instance
    Properties:
      UserData: !Base64
        Fn::Sub: |
          #!/bin/bash
          echo \${Stage} \${AWS::Region}
          aws s3 cp s3://\${Bucket.Arn}/app.zip .
          export HOME=\${HOME}
`);
    expect(where(lint(text))).toEqual([
      '13: Fn::Sub ${Bucket.Arn}: no resource named "Bucket"',
      '14: Fn::Sub ${HOME}: no parameter or resource named "HOME"; write ${!HOME} for a literal ${HOME}',
    ]);
  });

  it("counts the variables of a Sub's list form, and only those", () => {
    const text = template(`  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub
        - '\${Prefix}-\${Stage}-\${Sufix}'
        - Prefix: !Ref 'AWS::StackName'
          Suffix: !Ref Missing
`);
    expect(where(lint(text))).toEqual([
      '10: !Sub ${Sufix}: no parameter, resource or Sub variable named "Sufix" (did you mean "Suffix"?); write ${!Sufix} for a literal ${Sufix}',
      '12: !Ref Missing: no parameter or resource named "Missing"',
    ]);
  });

  it("checks condition names of resources, outputs, !If and !Condition", () => {
    const text = template(`  Topic:
    Type: AWS::SNS::Topic
    Condition: IsProduction
    Properties:
      TopicName: !If [IsProdd, a, b]
Outputs:
  Arn:
    Condition: Nope
    Value: !Ref Topic
`, `Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Both: !And [!Condition IsProd, !Condition Other]
`);
    expect(where(lint(text))).toEqual([
      '7: !Condition Other: no condition named "Other" in Conditions',
      '11: Condition IsProduction: no condition named "IsProduction" in Conditions',
      '13: !If IsProdd: no condition named "IsProdd" in Conditions (did you mean "IsProd"?)',
      '16: Condition Nope: no condition named "Nope" in Conditions',
    ]);
  });

  it("refuses a resource inside Conditions and an unknown mapping in !FindInMap", () => {
    const text = template("  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !FindInMap [Sizez, a, b]\n",
      "Mappings:\n  Sizes: {a: {b: c}}\nConditions:\n  Bad: !Equals [!Ref Topic, x]\n");
    expect(where(lint(text))).toEqual([
      '8: !Ref Topic: conditions can only refer to parameters, and "Topic" is a resource',
      '13: !FindInMap Sizez: no mapping named "Sizez" in Mappings (did you mean "Sizes"?)',
    ]);
  });

  it("reports a !Ref that rendered empty", () => {
    const text = template("  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref\n");
    expect(where(lint(text))).toEqual(["9: !Ref with no name: it takes the name of a parameter or resource"]);
  });

  it("only warns when a Transform may declare what is missing", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Globals: {Function: {Timeout: 10}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Environment: {Variables: {API: !Sub 'https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com'}}
`;
    expect(lint(text)).toEqual([expect.objectContaining({
      line: 9, severity: "warning", code: "cfn-sub-unknown",
      message: expect.stringMatching(/no parameter or resource named "ServerlessRestApi".*unless the template's Transform, AWS::Serverless-2016-10-31, declares it/),
    })]);
  });
});
