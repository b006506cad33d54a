//! A chart as a picture: onto the clipboard as an image (for a deck or a chat), or saved as
//! PNG or SVG through the OS save dialog. The UI draws the chart and sends its bytes; Rust
//! checks they are the picture they claim to be before any reaches the clipboard or a file,
//! so the web view can neither write other content nor name a path.

use crate::save_dialog::{self, SaveAs};
use brickdesk_core::{ErrorCode, ErrorInfo};
use serde::Deserialize;
use tauri_plugin_clipboard_manager::ClipboardExt as _;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Larger than any chart the UI draws (a 4K screen at twice the density is about 30 MB
/// decoded; the PNG far less).
const MAX_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ImageFormat {
    Png,
    Svg,
}

fn invalid(what: &str) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Internal,
        format!("The chart could not be turned into {what}. Try again, or copy the rows instead."),
    )
}

/// The bytes to write, if they are a PNG or an SVG document as `format` says, within the
/// size limit: a PNG as it came, an SVG written again with only what a picture holds (no
/// script, handler, link or outside reference: `brickdesk_core::svg`).
fn checked(format: ImageFormat, bytes: Vec<u8>) -> Result<Vec<u8>, ErrorInfo> {
    if bytes.is_empty() || bytes.len() > MAX_BYTES {
        return Err(invalid("a picture"));
    }
    match format {
        ImageFormat::Png if bytes.starts_with(PNG_SIGNATURE) => Ok(bytes),
        ImageFormat::Svg => {
            let text = std::str::from_utf8(&bytes).map_err(|_| invalid("an SVG file"))?;
            brickdesk_core::svg::sanitized(text)
                .map(String::into_bytes)
                .map_err(|reason| {
                    tracing::warn!(%reason, "a chart's SVG was refused");
                    invalid("an SVG file")
                })
        }
        ImageFormat::Png => Err(invalid("a PNG image")),
    }
}

/// Puts a PNG of the chart on the clipboard as an image.
#[tauri::command]
#[specta::specta]
pub fn copy_chart_image(app: tauri::AppHandle, png: Vec<u8>) -> Result<(), ErrorInfo> {
    let png = checked(ImageFormat::Png, png)?;
    let image = tauri::image::Image::from_bytes(&png).map_err(|_| invalid("a PNG image"))?;
    app.clipboard().write_image(&image).map_err(|e| {
        ErrorInfo::new(
            ErrorCode::Internal,
            format!("Brickdesk could not put the chart on the clipboard ({e})."),
        )
    })
}

/// Asks where to save the chart, then writes it; the path, or `None` when the user closed
/// the dialog.
#[tauri::command]
#[specta::specta]
pub async fn save_chart_image(
    app: tauri::AppHandle,
    file_name: String,
    format: ImageFormat,
    bytes: Vec<u8>,
) -> Result<Option<String>, ErrorInfo> {
    let bytes = checked(format, bytes)?;
    let (label, extension) = match format {
        ImageFormat::Png => ("PNG image", "png"),
        ImageFormat::Svg => ("SVG image", "svg"),
    };
    let name = format!("{}.{extension}", crate::sql_results::plain_stem(&file_name));
    let what = SaveAs {
        title: "Save chart",
        file_name: &name,
        filter: (label, extension),
    };
    let Some(path) = save_dialog::ask(&app, what).await else {
        return Ok(None);
    };
    // Through a new file beside it, renamed over it: never through a link planted at the
    // chosen name, as exports are written.
    brickdesk_core::files::write_replacing(&path, &bytes).map_err(|e| {
        ErrorInfo::new(
            ErrorCode::InvalidInput,
            format!(
                "Brickdesk could not write {} ({e}). Choose another folder.",
                path.display()
            ),
        )
    })?;
    Ok(Some(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_picture_claimed_is_accepted() {
        let png = [PNG_SIGNATURE, b"rest"].concat();
        assert!(checked(ImageFormat::Png, png).is_ok());
        assert!(checked(ImageFormat::Png, b"<svg/>".to_vec()).is_err());
        assert!(checked(ImageFormat::Svg, b"<svg xmlns='x'><rect/></svg>".to_vec()).is_ok());
        let scripted = checked(
            ImageFormat::Svg,
            b"<svg><script>alert(1)</script><rect onload='x'/></svg>".to_vec(),
        )
        .expect("written again");
        assert_eq!(scripted, b"<svg><rect/></svg>");
        assert!(checked(ImageFormat::Svg, b"<html><svg/></html>".to_vec()).is_err());
        assert!(checked(ImageFormat::Svg, vec![0xff, 0xfe]).is_err());
        assert!(checked(ImageFormat::Png, Vec::new()).is_err());
    }
}
