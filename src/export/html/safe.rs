//! What makes the page safe to open: user text through [`esc`] or
//! [`source`] (only http(s) URLs become links), SVG through [`clean_svg`]
//! (comments dropped; any script, foreign content, event attribute, link
//! or `style` attribute refuses the drawing). Nothing else reaches the
//! page unescaped.

use std::fmt::Write as _;

/// `s` with `& < > " '` as character references: safe in text and in a
/// quoted attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A source as text in which each http(s) URL is a link (up to the next
/// space, or a closing bracket, quote or trailing punctuation); anything
/// else, `javascript:` and `data:` included, stays text.
pub fn source(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let lower = rest.to_ascii_lowercase();
        let at = [lower.find("https://"), lower.find("http://")]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = at else {
            out.push_str(&esc(rest));
            return out;
        };
        out.push_str(&esc(&rest[..at]));
        let tail = &rest[at..];
        let mut end = tail
            .find(|c: char| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, ')' | ']' | '>' | '<' | '"' | '\'')
            })
            .unwrap_or(tail.len());
        while end > 0 && tail[..end].ends_with(['.', ',', ';', ':']) {
            end -= 1;
        }
        let url = &tail[..end];
        if url.len() > "https://".len() {
            write!(
                out,
                "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
                esc(url),
                esc(url)
            )
            .ok();
        } else {
            out.push_str(&esc(url));
        }
        if end == 0 {
            out.push_str(&esc(&tail[..1]));
            rest = &tail[1..];
        } else {
            rest = &tail[end..];
        }
    }
}

/// Elements that must not appear in inline SVG.
const FORBIDDEN: [&str; 12] = [
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "image",
    "use",
    "animate",
    "set",
    "animatetransform",
    "animatemotion",
    "style",
];

/// The `<svg>…</svg>` element of an SVG document, without comments, or
/// `None` when it holds an element or attribute that could run code or
/// fetch anything (scripts, foreign content, `on…` attributes, links).
pub fn clean_svg(doc: &str) -> Option<String> {
    let start = doc.find("<svg")?;
    let end = doc.rfind("</svg>")? + "</svg>".len();
    let body = &doc[start..end];
    // Comments go (Graphviz names nodes in them).
    let mut svg = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("<!--") {
        svg.push_str(&rest[..at]);
        let close = rest[at..].find("-->")?;
        rest = &rest[at + close + 3..];
    }
    svg.push_str(rest);
    // Every tag is looked at: its name and its attributes' names.
    let b = svg.as_bytes();
    let mut i = 0;
    while let Some(off) = svg[i..].find('<') {
        i += off + 1;
        if b.get(i) == Some(&b'/') {
            i += 1;
        }
        if matches!(b.get(i), Some(b'!') | Some(b'?')) {
            return None;
        }
        let name_end = svg[i..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .map_or(svg.len(), |k| i + k);
        let name = svg[i..name_end].to_ascii_lowercase();
        let local = name.rsplit(':').next().unwrap_or("");
        if FORBIDDEN.contains(&local) {
            return None;
        }
        i = name_end;
        // Attributes up to the end of the tag; values are quoted.
        loop {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
            {
                i += 1;
            }
            match b.get(i) {
                None => return None,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let attr_end = svg[i..]
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                .map_or(svg.len(), |k| i + k);
            let attr = svg[i..attr_end].to_ascii_lowercase();
            let local = attr.rsplit(':').next().unwrap_or("");
            if local.starts_with("on") || local == "href" || local == "src" || attr == "style" {
                return None;
            }
            i = attr_end;
            if b.get(i) == Some(&b'=') {
                i += 1;
                let quote = *b.get(i)?;
                if quote != b'"' && quote != b'\'' {
                    return None;
                }
                let close = svg[i + 1..].find(quote as char)?;
                i += close + 2;
            }
        }
    }
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            source("https://www.federalregister.gov/d/2019-22210"),
            "<a href=\"https://www.federalregister.gov/d/2019-22210\" rel=\"noopener noreferrer\">https://www.federalregister.gov/d/2019-22210</a>"
        );
        assert_eq!(source("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(source("JAVASCRIPT:alert(1)"), "JAVASCRIPT:alert(1)");
        assert_eq!(source("data:text/html,<b>"), "data:text/html,&lt;b&gt;");
        assert_eq!(
            source("Reuters (https://r.com/a?b=1&c=2), 2019"),
            "Reuters (<a href=\"https://r.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">https://r.com/a?b=1&amp;c=2</a>), 2019"
        );
        assert_eq!(source("see javascript:https://"), "see javascript:https://");
        assert_eq!(source("10-K 2019, p. 12"), "10-K 2019, p. 12");
        assert!(!source("https://a\"onmouseover=\"x").contains("\"onmouseover"));
        assert!(!source("https://a'onmouseover='x").contains("'onmouseover"));
    }

    #[test]
    fn svg_is_cleaned_or_refused() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- Generated by graphviz -->\n<svg width=\"10\"><g id=\"node1\"><title>a&lt;script&gt;</title><!-- a --><text x=\"1\">&lt;img src=x onerror=alert(1)&gt;</text><a xlink:title=\"t\"><path d=\"M0\"/></a></g></svg>\n";
        let svg = clean_svg(doc).expect("a clean SVG");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<!--"));
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><g onload=\"x\"></g></svg>",
            "<svg><a xlink:href=\"javascript:x\"><text>t</text></a></svg>",
            "<svg><foreignObject><div/></foreignObject></svg>",
            "<svg><image href=\"http://x\"/></svg>",
            "<svg><g style=\"background:url(http://x)\"></g></svg>",
            "<svg><!-- open",
        ] {
            assert_eq!(clean_svg(bad), None, "{bad}");
        }
    }
}
