/** The suite's style sheet (served as /suite/assets/suite.css). Colours meet WCAG AA contrast. */
export const SUITE_CSS = `
:root { --fg: #1b1f24; --muted: #4a5361; --line: #c9ced6; --accent: #0b5cad; --bg: #fff; --soft: #f3f5f8; --bad: #a4161a; --good: #1d6b2f; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #e8a200; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem; }
.skip:focus { left: .5rem; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .5rem 1rem; background: var(--soft); border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header.top .session { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
main { padding: 1rem; max-width: 80rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
label, legend { font-weight: 600; display: block; margin-bottom: .2rem; }
.field { margin-bottom: 1rem; }
input[type=text], input[type=email], input[type=password], input[type=url], input[type=datetime-local], input[type=search], select, textarea {
  font: inherit; padding: .4rem .5rem; border: 1px solid #767f8c; border-radius: 4px; width: 100%; max-width: 36rem; color: var(--fg); background: var(--bg); }
textarea { min-height: 6rem; }
fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem 1rem; max-width: 40rem; }
.switch { display: flex; gap: .5rem; align-items: center; font-weight: 600; margin: .4rem 0; }
.switch input { width: 1.2rem; height: 1.2rem; }
button { font: inherit; padding: .45rem 1rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: var(--bg); color: var(--accent); }
.hint { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
.error { color: var(--bad); font-weight: 600; margin: .2rem 0; }
.notice { border-left: 4px solid var(--good); background: #eef7f0; padding: .5rem 1rem; }
.alert { border-left: 4px solid var(--bad); background: #fbeeee; padding: .5rem 1rem; }
[aria-invalid="true"] { border-color: var(--bad); border-width: 2px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; max-width: none; }
.filters .field { margin: 0; }
.filters input, .filters select { width: auto; }
.pager { display: flex; gap: 1rem; }
.mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9rem; }
.status-delivered, .status-read { color: var(--good); font-weight: 600; }
.status-rejected, .status-undeliverable { color: var(--bad); font-weight: 600; }
.inline { display: inline; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.chart { margin: 1rem 0; }
`;
