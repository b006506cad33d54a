// A drawn chart as a picture: the SVG standalone (its colours and font resolved, a background
// behind it, so it looks the same outside the app), and a PNG of it at twice the size for
// sharp slides. Rust checks the bytes and puts them on the clipboard or in a file.

/** The drawn size of `svg`, in CSS pixels. */
const sizeOf = (svg: SVGSVGElement) => ({
  width: svg.width.baseVal.value || svg.clientWidth,
  height: svg.height.baseVal.value || svg.clientHeight,
});

/** `svg` as a standalone SVG document. */
export function standaloneSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const style = getComputedStyle(svg);
  const background = getComputedStyle(svg.closest(".chart") ?? document.body).backgroundColor;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("style", `color: ${style.color}; font-family: ${style.fontFamily}; font-size: ${style.fontSize}; background: ${background}`);
  const { width, height } = sizeOf(svg);
  copy.setAttribute("width", String(width));
  copy.setAttribute("height", String(height));
  const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  rect.setAttribute("width", "100%");
  rect.setAttribute("height", "100%");
  rect.setAttribute("fill", background === "rgba(0, 0, 0, 0)" ? "#ffffff" : background);
  copy.insertBefore(rect, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

/** A PNG of `svg` at `scale` times its size. */
export async function pngOf(svg: SVGSVGElement, scale = 2): Promise<Uint8Array> {
  const text = standaloneSvg(svg);
  const drawn = sizeOf(svg);
  const width = Math.ceil(drawn.width * scale);
  const height = Math.ceil(drawn.height * scale);
  const image = new Image();
  // A data: URL: the app's content policy allows no blob: images.
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  {
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error("The chart could not be drawn as an image."));
      image.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    if (!context) throw new Error("The chart could not be drawn as an image.");
    context.drawImage(image, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
    if (!blob) throw new Error("The chart could not be drawn as an image.");
    return new Uint8Array(await blob.arrayBuffer());
  }
}
