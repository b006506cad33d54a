//! A blank Tauri 2 app with one window and one command: the baseline for Brickdesk's start-up
//! (`startup-benchmark` in crates/bench). Its page calls `ready` as soon as it loads, and the
//! app says so on stderr the way Brickdesk logs its first screen, then quits.

#[tauri::command]
fn ready(app: tauri::AppHandle) {
    eprintln!("first screen ready");
    app.exit(0);
}

fn main() {
    if let Err(error) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
    {
        eprintln!("the blank app failed: {error}");
        std::process::exit(1);
    }
}
