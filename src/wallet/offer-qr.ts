/**
 * A credential offer's URI as a QR code, in SVG markup placed inside the page: no image
 * request, nothing for the page's Content-Security-Policy to allow. The same URI always
 * gives the same markup. The library is loaded with the first offer shown, not by every
 * gateway that mounts the wallet, or does not.
 */
import { Html, escape } from '../web/index.js';

export async function offerQrSvg(uri: string, label: string): Promise<Html> {
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  // The library's own markup, made from the URI alone; labelled for screen readers.
  return new Html(svg.replace('<svg ', `<svg role="img" aria-label="${escape(label)}" class="qr" width="256" height="256" `));
}
