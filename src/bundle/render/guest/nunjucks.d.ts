// The browser build of nunjucks is a UMD bundle without its own types; the guest
// reaches into its internals (compiler, parser, runtime) to patch Jinja2 behaviour.
declare module "nunjucks/browser/nunjucks.js" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const nunjucks: any;
  export default nunjucks;
}
