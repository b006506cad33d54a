// Links in text from Genie open in the system browser only after the user says so: a click on
// a link asks first ("Open … in your browser?"). One hook and one prompt for every card.
import { useState } from "preact/hooks";
import { openLink, toAppError, type AppError } from "../platform";

/** The link waiting for the user's yes, and the click handler that catches links in a text. */
export function useLinkConfirm() {
  const [link, setLink] = useState<string | null>(null);
  const onTextClick = (event: MouseEvent) => {
    const anchor = (event.target as HTMLElement).closest("a");
    if (!anchor) return;
    event.preventDefault();
    setLink(anchor.getAttribute("href"));
  };
  return { link, setLink, onTextClick };
}

interface Props {
  link: string | null;
  onDone: () => void;
  onError: (error: AppError) => void;
}

export function LinkConfirm({ link, onDone, onError }: Props) {
  if (!link) return null;
  return (
    <p class="genie-link-confirm" role="alertdialog" aria-label="Open link">
      Open <code>{link}</code> in your browser?{" "}
      <button type="button" class="primary" onClick={() => void openLink(link).catch((e) => onError(toAppError(e))).finally(onDone)}>
        Open
      </button>{" "}
      <button type="button" class="ghost" onClick={onDone}>
        Cancel
      </button>
    </p>
  );
}
