// Toasts in a polite live region; informational ones dismiss themselves after
// NOTICE_TIMEOUT_MS, errors stay until dismissed.
import { useEffect } from "preact/hooks";
import { NOTICE_TIMEOUT_MS, dismissesItself, type Notice } from "./notices";

interface Props {
  notices: Notice[];
  onDismiss: (id: number) => void;
}

function NoticeItem({ notice, onDismiss }: { notice: Notice; onDismiss: (id: number) => void }) {
  useEffect(() => {
    if (!dismissesItself(notice.kind)) return;
    const timer = setTimeout(() => onDismiss(notice.id), NOTICE_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [notice.id, notice.kind, onDismiss]);
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
