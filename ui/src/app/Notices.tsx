// Toasts in a polite live region; each dismisses itself after NOTICE_TIMEOUT_MS.
import { useEffect } from "preact/hooks";
import { NOTICE_TIMEOUT_MS, type Notice } from "./notices";

interface Props {
  notices: Notice[];
  onDismiss: (id: number) => void;
}

function NoticeItem({ notice, onDismiss }: { notice: Notice; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(notice.id), NOTICE_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [notice.id, onDismiss]);
  return (
    <div class={`notice notice-${notice.kind}`} data-testid="notice" data-kind={notice.kind}>
      <span>{notice.text}</span>
      <button type="button" class="notice-dismiss" aria-label="Dismiss" onClick={() => onDismiss(notice.id)}>
        ×
      </button>
    </div>
  );
}

export function Notices({ notices, onDismiss }: Props) {
  return (
    <div class="notices" role="status" aria-live="polite" data-testid="notices">
      {notices.map((notice) => (
        <NoticeItem key={notice.id} notice={notice} onDismiss={onDismiss} />
      ))}
    </div>
  );
}
