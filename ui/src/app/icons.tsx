// Inline SVG icons (no remote assets: the CSP allows none).
export function BrickIcon({ size = 22 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="22" height="22" rx="5" class="brick-bg" />
      <g class="brick-fg">
        <rect x="4.5" y="5.5" width="7" height="3.2" rx="0.8" />
        <rect x="12.5" y="5.5" width="7" height="3.2" rx="0.8" />
        <rect x="4.5" y="9.8" width="3" height="3.2" rx="0.8" />
        <rect x="8.5" y="9.8" width="7" height="3.2" rx="0.8" />
        <rect x="16.5" y="9.8" width="3" height="3.2" rx="0.8" />
        <rect x="4.5" y="14.1" width="7" height="3.2" rx="0.8" />
        <rect x="12.5" y="14.1" width="7" height="3.2" rx="0.8" />
      </g>
    </svg>
  );
}

export function LockIcon({ label }: { label: string }) {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" role="img" aria-label={label}>
      <title>{label}</title>
      <path
        fill="currentColor"
        d="M4 7V5a4 4 0 1 1 8 0v2h.5A1.5 1.5 0 0 1 14 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 13.5v-5A1.5 1.5 0 0 1 3.5 7H4Zm2 0h4V5a2 2 0 1 0-4 0v2Z"
      />
    </svg>
  );
}

/** A thumb, up or (rotated) down, for answer feedback. */
export function ThumbIcon({ down = false }: { down?: boolean }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false" style={down ? { transform: "rotate(180deg)" } : undefined}>
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        d="M7 10v11H3V10h4Zm0 0 4-8c1.7 0 3 1.3 3 3v4h5.5a2 2 0 0 1 2 2.4l-1.6 8A2 2 0 0 1 18 21H7"
      />
    </svg>
  );
}

/** A window with a side panel: shows or hides a side panel. */
export function PanelIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect x="3" y="4" width="18" height="16" rx="2" fill="none" stroke="currentColor" stroke-width="2" />
      <path d="M9 4v16" stroke="currentColor" stroke-width="2" />
    </svg>
  );
}
