//! Bar charts as SVG, drawn on the server: no JavaScript, no inline styles (the CSP allows
//! neither). Each chart names itself with `<title>`/`<desc>` and `aria-labelledby`, writes its
//! numbers next to the bars, and fills bars with patterns as well as colours, so no meaning
//! rests on colour alone. The page shows the same numbers in a table beside the chart.

use std::fmt::Write;

/// One bar: what it stands for, its size, and the number written beside it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub text: String,
}

/// Fills: a colour and a pattern each (solid, diagonal lines, dots, crossed lines), picked in
/// turn. The colours are the Okabe–Ito palette's darker members, distinguishable with the
/// common colour-vision deficiencies and at least 3:1 against white.
const FILLS: [(&str, &str); 4] = [
    ("solid", "#0b5d6b"),
    ("lines", "#a6501b"),
    ("dots", "#5b3f8c"),
    ("cross", "#1d6b34"),
];

/// The columns over time: wide, for up to two years of months.
const WIDTH: i64 = 640;
/// The bars: narrow, so that on a phone the chart shrinks little and its words stay readable;
/// each label has a line of its own above its bar instead of a column beside it.
const BARS_WIDTH: i64 = 400;

/// Text for SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut (the table has the whole name).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Opens the SVG: `kind` (`bars` or `columns`) names its class, which the style sheet sizes by.
fn open_svg(
    out: &mut String,
    kind: &str,
    id: &str,
    title: &str,
    description: &str,
    width: i64,
    height: i64,
) {
    let _ = write!(
        out,
        r#"<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description),
    );
    out.push_str("<defs>");
    for (index, (pattern, colour)) in FILLS.iter().enumerate() {
        let _ = write!(
            out,
            r#"<pattern id="{id}-fill-{index}" patternUnits="userSpaceOnUse" width="8" height="8">"#
        );
        match *pattern {
            "solid" => {
                let _ = write!(out, r#"<rect width="8" height="8" fill="{colour}"/>"#);
            }
            "lines" => {
                let _ = write!(
                    out,
                    r#"<rect width="8" height="8" fill="{colour}" fill-opacity="0.35"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{colour}" stroke-width="2.5"/>"#
                );
            }
            "dots" => {
                let _ = write!(
                    out,
                    r#"<rect width="8" height="8" fill="{colour}" fill-opacity="0.3"/><circle cx="4" cy="4" r="2.4" fill="{colour}"/>"#
                );
            }
            _ => {
                let _ = write!(
                    out,
                    r#"<rect width="8" height="8" fill="{colour}" fill-opacity="0.3"/><path d="M0,4 h8 M4,0 v8" stroke="{colour}" stroke-width="2"/>"#
                );
            }
        }
        out.push_str("</pattern>");
    }
    out.push_str("</defs>");
}

fn fill(id: &str, index: usize) -> String {
    format!("url(#{id}-fill-{})", index % FILLS.len())
}

/// Horizontal bars, one per item: its label on a line of its own, the bar below it with its
/// number after it. `vary` gives each bar its own fill (for categories such as statuses or
/// forms); otherwise every bar has the first fill.
pub fn bars(id: &str, title: &str, description: &str, bars: &[Bar], vary: bool) -> String {
    const ROW: i64 = 46;
    const LEFT: i64 = 2;
    /// Room after the longest bar for its number ("1234 u 30").
    const BAR_AREA: i64 = 300;
    let height = ROW * i64::try_from(bars.len().max(1)).unwrap_or(1) + 6;
    let mut out = String::new();
    open_svg(&mut out, "bars", id, title, description, BARS_WIDTH, height);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    for (index, bar) in bars.iter().enumerate() {
        let top = ROW * i64::try_from(index).unwrap_or(0) + 4;
        let width = if bar.value > 0 {
            (bar.value.max(0) * BAR_AREA / max).max(2)
        } else {
            0
        };
        let fill_index = if vary { index } else { 0 };
        let _ = write!(
            out,
            r##"<g><title>{label}: {text}</title><text class="chart-label" x="{LEFT}" y="{ly}">{short}</text><rect x="{LEFT}" y="{by}" width="{width}" height="18" fill="{fill}" stroke="#1b2429" stroke-width="{stroke}"/><text class="chart-value" x="{vx}" y="{vy}">{text}</text><line class="chart-axis" x1="{LEFT}" y1="{by}" x2="{LEFT}" y2="{axis_end}" stroke="#535f66" stroke-width="1"/></g>"##,
            label = escape(&bar.label),
            text = escape(&bar.text),
            short = escape(&shorten(&bar.label, 44)),
            ly = top + 15,
            by = top + 20,
            vy = top + 34,
            axis_end = top + 38,
            fill = fill(id, fill_index),
            stroke = if width > 0 { "0.5" } else { "0" },
            vx = LEFT + width + 6,
        );
    }
    out.push_str("</svg>");
    out
}

/// A "nice" axis maximum and step: 1, 2 or 5 times a power of ten, about four steps.
fn axis(max: i64) -> (i64, i64) {
    let max = max.max(1);
    let rough = (max + 3) / 4;
    let mut power = 1i64;
    while power * 10 <= rough {
        power *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(power * 10);
    let top = (max + step - 1) / step * step;
    (top, step)
}

/// Vertical columns over time (months): a value axis in `unit`s (`value / divisor`), columns
/// labelled below; the number of each column sits above it when there is room.
pub fn columns(
    id: &str,
    title: &str,
    description: &str,
    columns: &[Bar],
    divisor: i64,
    unit: &str,
) -> String {
    const HEIGHT: i64 = 260;
    /// Room for the axis numbers ("150 u"), also in the larger type phones get.
    const LEFT: i64 = 84;
    const RIGHT: i64 = 10;
    const TOP: i64 = 20;
    const BOTTOM: i64 = 44;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let plot_width = WIDTH - LEFT - RIGHT;
    let mut out = String::new();
    open_svg(&mut out, "columns", id, title, description, WIDTH, HEIGHT);
    let divisor = divisor.max(1);
    let max_value = columns.iter().map(|c| c.value).max().unwrap_or(0).max(0);
    let max_units = (max_value + divisor - 1) / divisor;
    let (top, step) = axis(max_units);
    let scale = |units_times_divisor: i64| -> i64 {
        // Height in pixels of a value in minutes (or whatever the divisor divides).
        units_times_divisor * plot_height / (top * divisor)
    };
    let mut tick = 0;
    while tick <= top {
        let y = TOP + plot_height - tick * plot_height / top;
        let _ = write!(
            out,
            r##"<line class="chart-grid" x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" stroke="#d5dce0" stroke-width="1"/><text class="chart-tick" x="{tx}" y="{ty}" text-anchor="end">{tick} {unit}</text>"##,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6,
            ty = y + 4,
            unit = escape(unit),
        );
        tick += step;
    }
    let count = i64::try_from(columns.len().max(1)).unwrap_or(1);
    let slot = plot_width / count;
    let gap = (slot / 5).max(1);
    let label_every = usize::try_from((count + 11) / 12).unwrap_or(1).max(1);
    // Numbers above the columns only when the longest fits its column (about 7 px a
    // character at 12 px); otherwise the table and each column's title carry them.
    let widest = columns
        .iter()
        .map(|c| i64::try_from(c.text.chars().count()).unwrap_or(i64::MAX))
        .max()
        .unwrap_or(0);
    let show_values = widest.saturating_mul(7) <= slot;
    for (index, column) in columns.iter().enumerate() {
        let i = i64::try_from(index).unwrap_or(0);
        let x = LEFT + i * slot + gap / 2;
        let width = (slot - gap).max(1);
        let height = scale(column.value.max(0));
        let y = TOP + plot_height - height;
        let _ = write!(
            out,
            r##"<g><title>{label}: {text}</title><rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}" stroke="#1b2429" stroke-width="{stroke}"/>"##,
            label = escape(&column.label),
            text = escape(&column.text),
            fill = fill(id, 0),
            stroke = if height > 0 { "0.5" } else { "0" },
        );
        // An empty month gets no number standing on the axis: the table says "0 u".
        if show_values && column.value > 0 {
            let _ = write!(
                out,
                r#"<text class="chart-value" x="{cx}" y="{vy}" text-anchor="middle">{text}</text>"#,
                cx = x + width / 2,
                vy = y - 5,
                text = escape(&column.text),
            );
        }
        if index % label_every == 0 {
            // Phones show larger type and every third of these labels (the style sheet hides
            // the minor ones), so they do not run into each other.
            let minor = (index / label_every) % 3 != 0;
            let _ = write!(
                out,
                r#"<text class="chart-label{class}" x="{cx}" y="{ly}" text-anchor="middle">{label}</text>"#,
                class = if minor { " chart-label-minor" } else { "" },
                cx = x + width / 2,
                ly = TOP + plot_height + 22,
                label = escape(&column.label),
            );
        }
        out.push_str("</g>");
    }
    let _ = write!(
        out,
        r##"<line class="chart-axis" x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" stroke="#535f66" stroke-width="1"/>"##,
        y = TOP + plot_height,
        x2 = WIDTH - RIGHT,
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value,
            text: format!("{value} u"),
        }
    }

    #[test]
    fn labels_are_escaped_and_the_chart_is_named() {
        let svg = bars(
            "status",
            "Inburgeraars per status",
            "Aantal per status",
            &[bar("<script>&\"", 3), bar("actief", 0)],
            true,
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"aria-labelledby="status-title status-desc""#));
        assert!(svg.contains(r#"<title id="status-title">Inburgeraars per status</title>"#));
        assert!(svg.contains("&lt;script&gt;&amp;&quot;"));
        assert!(!svg.contains("<script>"));
        assert!(!svg.contains("style="));
        assert!(svg.contains("url(#status-fill-1)"));
    }

    #[test]
    fn bars_scale_to_the_largest() {
        let svg = bars("h", "t", "d", &[bar("a", 10), bar("b", 5)], false);
        assert!(svg.contains(r#"width="300""#));
        assert!(svg.contains(r#"width="150""#));
    }

    #[test]
    fn empty_months_write_no_number_on_the_axis() {
        let months: Vec<Bar> = [0, 5, 0, 3].iter().map(|&h| bar("m", h * 60)).collect();
        let svg = columns("m", "t", "d", &months, 60, "u");
        assert_eq!(svg.matches("chart-value").count(), 2, "{svg}");
        assert!(!svg.contains(">0 u</text><text class=\"chart-label"));
        assert_eq!(svg.matches("chart-label-minor").count(), 2);
    }

    #[test]
    fn axes_use_round_steps() {
        assert_eq!(axis(0), (1, 1));
        assert_eq!(axis(7), (8, 2));
        assert_eq!(axis(38), (40, 10));
        assert_eq!(axis(1234), (1500, 500));
    }

    #[test]
    fn columns_draw_one_rect_per_month() {
        let months: Vec<Bar> = (0..24).map(|i| bar(&format!("m{i}"), i * 60)).collect();
        let svg = columns("m", "t", "d", &months, 60, "u");
        assert_eq!(svg.matches("<rect x=").count(), 24);
        // Two years of months: every second one is labelled, values sit in the table.
        assert!(svg.contains(">m0<") && svg.contains(">m2<") && !svg.contains(">m1<"));
        assert!(!svg.contains("chart-value"));
        let year: Vec<Bar> = (0..12).map(|i| bar(&format!("m{i}"), i * 60)).collect();
        assert_eq!(
            columns("m", "t", "d", &year, 60, "u")
                .matches("chart-value")
                .count(),
            11,
            "a number above every month but the empty first"
        );
        let wide = [bar("m", 123_456_789)];
        assert!(columns("m", "t", "d", &wide, 60, "u").contains("chart-value"));
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(
            shorten("Vereniging voor Buurtwerking De Brug vzw", 10),
            "Verenigin…"
        );
        assert_eq!(shorten("Kort", 10), "Kort");
    }
}
