//! Packaging, checked where it can be here: every installer target is configured, the Linux
//! desktop entry hands the deep link to the app (`%u`) and claims the scheme, Windows packages
//! carry WebView2 for locked-down networks, there is no self-updater, and the GitHub Actions
//! workflow parses and builds every target on its OS.

use yaml_rust2::{Yaml, YamlLoader};

const SCHEME: &str = "dev.brickdesk.app";
const TARGETS: [&str; 6] = ["deb", "appimage", "msi", "nsis", "app", "dmg"];

fn config() -> serde_json::Value {
    serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json")
}

#[test]
fn every_installer_target_is_configured_with_the_scheme() {
    let config = config();
    let targets: Vec<&str> = config["bundle"]["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for target in TARGETS {
        assert!(targets.contains(&target), "{target} is not built");
    }
    let schemes = &config["plugins"]["deep-link"]["desktop"]["schemes"];
    assert_eq!(schemes, &serde_json::json!([SCHEME]));
    for key in [
        "publisher",
        "copyright",
        "category",
        "license",
        "shortDescription",
    ] {
        assert!(config["bundle"][key].is_string(), "bundle.{key}");
    }
    // IT pins versions: no updater artifacts, no updater plugin.
    assert_eq!(config["bundle"]["createUpdaterArtifacts"], false);
    assert!(config["plugins"].get("updater").is_none());
    // Locked-down networks cannot download WebView2 during the install.
    assert_eq!(
        config["bundle"]["windows"]["webviewInstallMode"]["type"],
        "offlineInstaller"
    );
    assert_eq!(config["bundle"]["windows"]["nsis"]["installMode"], "both");
}

#[test]
fn the_linux_desktop_entry_hands_the_link_to_the_app() {
    let config = config();
    assert_eq!(
        config["bundle"]["linux"]["deb"]["desktopTemplate"],
        "linux/brickdesk.desktop"
    );
    let entry = include_str!("../linux/brickdesk.desktop");
    let has = |line: &str| entry.lines().any(|l| l == line);
    assert!(has("Exec={{exec}} %u"), "the URL reaches the app: {entry}");
    assert!(
        has(&format!("MimeType=x-scheme-handler/{SCHEME};")),
        "{entry}"
    );
}

#[test]
fn the_workflow_parses_and_builds_every_target_on_its_os() {
    let text = include_str!("../../.github/workflows/build.yml");
    let docs = YamlLoader::load_from_str(text).expect("valid YAML");
    let workflow = &docs[0];
    let jobs = &workflow["jobs"];
    let installers = &jobs["installers"];
    assert!(!installers.is_badvalue(), "an installers job");
    let include = installers["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a matrix");
    let mut built = Vec::new();
    let mut systems = Vec::new();
    for entry in include {
        let os = entry["os"].as_str().expect("os");
        systems.push(os.split('-').next().unwrap_or_default().to_owned());
        built.extend(
            entry["bundles"]
                .as_str()
                .expect("bundles")
                .split(',')
                .map(str::to_owned),
        );
    }
    for target in TARGETS {
        assert!(
            built.iter().any(|b| b == target),
            "{target} is not built in CI"
        );
    }
    for os in ["ubuntu", "windows", "macos"] {
        assert!(systems.iter().any(|s| s == os), "no {os} runner");
    }
    let steps: Vec<&str> = installers["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(
        steps
            .iter()
            .any(|r| r.contains("--bundles \"${{ matrix.bundles }}\"")),
        "{steps:?}"
    );
    let core = &jobs["core"];
    let core_systems = core["strategy"]["matrix"]["os"].as_vec().expect("os list");
    assert_eq!(core_systems.len(), 3);
    assert!(
        core["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .any(|s| s["run"].as_str() == Some("cargo test -p brickdesk-core")),
        "the core tests run on every OS"
    );
    assert!(matches!(workflow["on"], Yaml::Hash(_)));
}

/// macOS runs the UI in the system's WebKit, which is as new as the OS's Safari: the oldest
/// macOS admitted must have what the UI uses (`<dialog>.showModal()`: Safari 15.4, macOS
/// 12.3), and newer features keep a fallback (`color-mix()`: Safari 16.2).
#[test]
fn the_oldest_macos_admitted_has_the_webkit_the_ui_needs() {
    let config = config();
    let minimum = config["bundle"]["macOS"]["minimumSystemVersion"]
        .as_str()
        .expect("minimumSystemVersion");
    let version: Vec<u32> = minimum
        .split('.')
        .map(|p| p.parse().expect("number"))
        .collect();
    assert!(version >= vec![12, 3], "{minimum}");
    let vite = include_str!("../../ui/vite.config.ts");
    assert!(
        vite.contains("safari15.4"),
        "the UI is built for that WebKit"
    );
    let css = include_str!("../../ui/src/styles.css");
    for line in css.lines().filter(|l| l.contains("color-mix(")) {
        let property = line[..line.find("color-mix(").expect("found")]
            .rsplit(['{', ';'])
            .next()
            .unwrap_or_default()
            .trim()
            .trim_end_matches(':')
            .trim()
            .to_owned();
        let before = &line[..line
            .find(&format!("{property}: color-mix"))
            .expect("declared")];
        assert!(
            before.contains(&format!("{property}:")),
            "color-mix without a fallback for {property}: {line}"
        );
    }
    // Ad-hoc signed until the Developer ID exists: an unsigned arm64 bundle does not open.
    assert_eq!(config["bundle"]["macOS"]["signingIdentity"], "-");
}

/// What only Windows and macOS can show runs on their runners (issue 27): the keychain, the
/// policy and proxy readers against settings the job writes, a universal and signed macOS
/// bundle, the app starting and taking a link, and a `.app` artifact that keeps its
/// executable bit.
#[test]
fn the_windows_and_macos_runners_check_what_only_they_can() {
    let text = include_str!("../../.github/workflows/build.yml");
    let docs = YamlLoader::load_from_str(text).expect("valid YAML");
    let jobs = &docs[0]["jobs"];
    let runs = |job: &str| -> Vec<String> {
        jobs[job]["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_owned))
            .collect()
    };
    let has = |job: &str, needle: &str| runs(job).iter().any(|r| r.contains(needle));
    assert!(has("core", "--test keychain -- --ignored"));
    for needle in [
        r"HKLM\Software\Policies\Brickdesk",
        r"HKCU\Software\Policies\Brickdesk",
        "REG_EXPAND_SZ",
        "$managed/$USER/dev.brickdesk.app",
        "networksetup -setsecurewebproxy",
        "--test os_settings -- --ignored",
    ] {
        assert!(has("platform", needle), "the platform job lacks {needle}");
    }
    let platforms = jobs["platform"]["strategy"]["matrix"]["os"]
        .as_vec()
        .expect("os list");
    assert_eq!(platforms.len(), 2);
    let include = jobs["installers"]["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("include");
    assert!(
        include
            .iter()
            .any(|e| e["target"].as_str() == Some("universal-apple-darwin")),
        "the macOS bundle is universal"
    );
    for needle in [
        "lipo -archs",
        "codesign --verify --deep --strict",
        "spctl -a",
        "stapler validate",
        "Get-AuthenticodeSignature",
        "scripts/ci/smoke-app.sh windows",
        "scripts/ci/smoke-app.sh macos",
        "tar -czf Brickdesk.app.tar.gz",
        "Release builds need",
    ] {
        let named = jobs["installers"]["steps"]
            .as_vec()
            .expect("steps")
            .iter()
            .any(|s| {
                s["run"].as_str().is_some_and(|r| r.contains(needle))
                    || s["name"].as_str().is_some_and(|n| n.contains(needle))
            });
        assert!(named, "the installers job lacks {needle}");
    }
    assert!(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scripts/ci/smoke-app.sh"
        ))
        .is_file()
    );
}

/// Finder shows a folder whose name ends in `.app` as a broken application, and the OS names
/// the app's folders after the identifier; the link scheme stays `dev.brickdesk.app`.
#[test]
fn the_identifier_names_no_folder_like_an_application() {
    let config = config();
    let identifier = config["identifier"].as_str().expect("identifier");
    assert_eq!(identifier, brickdesk_core::renamed_dirs::IDENTIFIER);
    assert!(!identifier.ends_with(".app"), "{identifier}");
    assert_eq!(
        config["plugins"]["deep-link"]["desktop"]["schemes"][0],
        SCHEME
    );
}
