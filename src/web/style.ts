/**
 * The pages' one stylesheet (console and wallet), served as a file of each (no inline style
 * under the page policy).
 * Text and controls keep at least 4.5:1 contrast; every focusable element shows its focus.
 */
export const STYLE = `
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; background: #ffffff; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: 0.75rem 1.5rem; background: #12355b; color: #ffffff; }
header a, header button { color: #ffffff; }
header form { margin: 0; }
header form button { border-color: #ffffff; }
.brand { margin: 0; font-weight: 700; }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; }
nav ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }
nav form { margin: 0; }
nav button { background: transparent; border: 1px solid #ffffff; }
main { max-width: 72rem; padding: 1rem 1.5rem 3rem; }
a { color: #0b4f8a; }
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible {
  outline: 3px solid #b35900; outline-offset: 2px;
}
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #ffffff; color: #0b4f8a; padding: 0.5rem; z-index: 1; }
label { display: block; font-weight: 600; }
input[type=text], textarea, select { font: inherit; padding: 0.4rem; border: 1px solid #555555; border-radius: 3px; width: 100%; max-width: 40rem; box-sizing: border-box; }
textarea { font-family: ui-monospace, monospace; max-width: none; min-height: 24rem; }
button { font: inherit; padding: 0.4rem 1rem; border: 1px solid #12355b; border-radius: 3px; background: #12355b; color: #ffffff; cursor: pointer; }
button.secondary { background: #ffffff; color: #12355b; }
.hint { display: block; color: #4a4a4a; font-size: 0.9rem; }
.field { margin: 0 0 1rem; }
.error { border-left: 4px solid #a4000f; background: #fdecee; padding: 0.5rem 1rem; color: #5c0009; }
.ok { border-left: 4px solid #1d6b2f; background: #e9f6ec; padding: 0.5rem 1rem; color: #0f3d1a; }
table { border-collapse: collapse; width: 100%; margin: 0 0 2rem; }
th, td { border: 1px solid #8a8a8a; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
.permit { color: #0f3d1a; font-weight: 600; }
.deny { color: #5c0009; font-weight: 600; }
pre { background: #f4f4f4; padding: 1rem; overflow-x: auto; }
.lang { margin-left: auto; }
.lang a { margin-left: 0.75rem; }
.card { border: 1px solid #8a8a8a; border-radius: 4px; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.card h3 { margin: 0 0 0.5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 0.75rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.status-given { color: #0f3d1a; font-weight: 700; }
.status-withdrawn, .status-expired { color: #5c0009; font-weight: 700; }
.card form { display: inline-block; margin: 0 0.5rem 0 0; }
.offer { margin: 1rem 0; }
.qr { display: block; max-width: 100%; height: auto; background: #ffffff; }
.tx-code { font-size: 1.5rem; letter-spacing: 0.2em; font-family: ui-monospace, monospace; }
`;
