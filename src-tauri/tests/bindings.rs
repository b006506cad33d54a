//! `ui/src/bindings.ts` must be exactly what the IPC builder generates.
//!
//! Run with `BRICKDESK_UPDATE_BINDINGS=1` to rewrite the committed file after changing a
//! command, event or exported type.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts")
}

fn generate() -> String {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("brickdesk-bindings-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("bindings.ts");
    brickdesk_app::specta_builder()
        .export(specta_typescript::Typescript::default(), &path)
        .expect("bindings export (a 64-bit integer in an exported type fails here)");
    let text = std::fs::read_to_string(&path).expect("read generated bindings");
    let _ = std::fs::remove_dir_all(&dir);
    text
}

#[test]
fn committed_bindings_are_fresh() {
    let generated = generate();
    if std::env::var_os("BRICKDESK_UPDATE_BINDINGS").is_some() {
        std::fs::write(committed_path(), &generated).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is stale. Regenerate it with:\n  \
         BRICKDESK_UPDATE_BINDINGS=1 cargo test -p brickdesk --test bindings\n"
    );
}

#[test]
fn bindings_expose_the_error_shape_and_no_bigint() {
    let generated = generate();
    let error_info = "export type ErrorInfo = {\n\tcode: ErrorCode,\n\tmessage: string,\n};";
    assert!(
        generated.contains(error_info),
        "errors cross IPC as {{ code, message }}"
    );
    assert!(
        generated.contains("appInfo: () => typedError<AppInfo, ErrorInfo>"),
        "app_info is exported"
    );
    assert!(
        !generated.contains("bigint"),
        "64-bit integers must not reach the UI as bigint"
    );
}
