//! Rendering DOT text to SVG, PNG or PDF with Graphviz's `dot`, through
//! graphviz-rust's `exec`.
//!
//! **Invariant:** the one place that starts a process. It knows DOT only
//! as text (the AST is `export::dot`'s), and the same text gives the same
//! bytes: the one timestamp Graphviz writes (a PDF's creation date) is
//! replaced by a fixed one.

use std::io;

use graphviz_rust::cmd::{CommandArg, Format as GvFormat};

/// A format Graphviz draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
    Pdf,
}

impl Format {
    /// The format a file extension asks for (case-insensitive).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(
        "Graphviz's `dot` program was not found on the PATH; install Graphviz \
         (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/), \
         or write the DOT text instead with -o FILE.dot"
    )]
    NotFound,
    #[error("Graphviz's `dot` failed: {0}")]
    Failed(String),
}

/// Renders DOT text to `format`, in memory.
///
/// # Complexity
/// Graphviz's layout; the text is passed through a temporary file.
pub fn render(dot: String, format: Format) -> Result<Vec<u8>, RenderError> {
    let gv = match format {
        Format::Svg => GvFormat::Svg,
        Format::Png => GvFormat::Png,
        Format::Pdf => GvFormat::Pdf,
    };
    let bytes =
        graphviz_rust::exec_dot(dot, vec![CommandArg::Format(gv)]).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => RenderError::NotFound,
            _ => RenderError::Failed(e.to_string().trim().to_string()),
        })?;
    Ok(match format {
        Format::Pdf => fixed_pdf_date(bytes),
        _ => bytes,
    })
}

/// Replaces the PDF's `/CreationDate (D:…)` by the same number of bytes of
/// a fixed date, so that offsets in the file stay right.
fn fixed_pdf_date(mut pdf: Vec<u8>) -> Vec<u8> {
    const KEY: &[u8] = b"/CreationDate (D:";
    let Some(at) = pdf.windows(KEY.len()).position(|w| w == KEY) else {
        return pdf;
    };
    let start = at + KEY.len();
    let Some(len) = pdf[start..].iter().position(|&b| b == b')') else {
        return pdf;
    };
    // D:YYYYMMDDHHmmSS then an optional zone: keep the length, zero the time.
    let fixed = b"19700101000000Z00'00'";
    for (i, b) in pdf[start..start + len].iter_mut().enumerate() {
        *b = fixed.get(i).copied().unwrap_or(b' ');
    }
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_pick_the_format() {
        assert_eq!(Format::from_extension("SVG"), Some(Format::Svg));
        assert_eq!(Format::from_extension("png"), Some(Format::Png));
        assert_eq!(Format::from_extension("pdf"), Some(Format::Pdf));
        assert_eq!(Format::from_extension("jpg"), None);
    }

    #[test]
    fn the_pdf_date_is_fixed_in_place() {
        let pdf = b"x /CreationDate (D:20261126130409Z) y".to_vec();
        let fixed = fixed_pdf_date(pdf.clone());
        assert_eq!(fixed.len(), pdf.len());
        assert_eq!(fixed, b"x /CreationDate (D:19700101000000Z) y".to_vec());
    }
}
