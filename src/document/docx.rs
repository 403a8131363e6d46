//! DOCX writer (docx-rs): A4 page, real paragraph styles (Normal via document defaults,
//! Heading 1/2 and letter-part styles), footer with confidentiality notice and
//! "Page X of Y", and one Word comment per finding anchored on its highlighted text.
//!
//! All text goes through docx-rs runs, which escape XML; control characters were removed
//! upstream. Must never panic on content and never write anything but the letter.

use std::collections::HashMap;
use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, BreakType, Comment, Docx, DrawingPosition, Footer, Header,
    LineSpacing, NumPages, PageMargin, PageNum, Paragraph, ParagraphBorder,
    ParagraphBorderPosition, ParagraphBorders, Pic, RelativeFromHType, RelativeFromVType, Run,
    RunFonts, Style, StyleType,
};

use super::DocumentError;
use super::letter::{BlockKind, Letter, comment_text};

const ACCENT: &str = "1F3864";
const GREY: &str = "595959";
/// Logo height in EMU (about 1.8 cm).
const LOGO_HEIGHT_EMU: u32 = 650_000;

pub fn to_docx_bytes(l: &Letter) -> Result<Vec<u8>, DocumentError> {
    let mut docx = Docx::new()
        .page_size(11_906, 16_838)
        .page_margin(
            PageMargin::new()
                .top(1_020)
                .bottom(1_134)
                .left(1_304)
                .right(1_304)
                .header(567)
                .footer(454),
        )
        .default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
        .default_size(21)
        .default_line_spacing(LineSpacing::new().after(140).line(264));
    for s in styles() {
        docx = docx.add_style(s);
    }
    docx = docx.footer(footer(&l.footer));
    if !l.continuation.is_empty() {
        // Pages 2+: patient identifiers at the top, so loose pages can be matched up.
        let p = Paragraph::new()
            .style("Continuation")
            .add_run(text_run(&l.continuation));
        docx = docx
            .header(Header::new().add_paragraph(p))
            .first_header(Header::new())
            .first_footer(footer(&l.footer))
            .title_pg();
    }

    // Comment starts/ends by (block, span), so ranges may cross paragraphs.
    let mut starts: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    let mut ends: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (id, a) in l.anchors().into_iter().enumerate() {
        if let Some((b0, s0, b1, s1)) = a {
            starts.entry((b0, s0)).or_default().push(id);
            ends.entry((b1, s1)).or_default().push(id);
        }
    }
    let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();

    for (bi, b) in l.blocks.iter().enumerate() {
        let mut p = Paragraph::new().style(style_id(b.kind));
        if b.kind == BlockKind::Letterhead
            && let Some((png, w, h)) = &l.logo
        {
            let width =
                (u64::from(LOGO_HEIGHT_EMU) * u64::from(*w) / u64::from(*h)).min(2_500_000) as u32;
            let pic = Pic::new_with_dimensions(png.clone(), *w, *h)
                .size(width, LOGO_HEIGHT_EMU)
                .floating()
                .relative_from_h(RelativeFromHType::Margin)
                .relative_from_v(RelativeFromVType::Paragraph)
                .position_h(DrawingPosition::Offset(0))
                .position_v(DrawingPosition::Offset(0));
            p = p.add_run(Run::new().add_image(pic));
        }
        for (si, s) in b.spans.iter().enumerate() {
            for &id in starts.get(&(bi, si)).into_iter().flatten() {
                if let Some(f) = l.findings.get(id) {
                    // One paragraph only: docx-rs writes a comment once per paragraph in it.
                    let text = Paragraph::new().add_run(text_run(&comment_text(f)));
                    let c = Comment::new(id + 1)
                        .author("medscribe")
                        .date(date.clone())
                        .add_paragraph(text);
                    p = p.add_comment_start(c);
                }
            }
            let mut run = text_run(&s.text);
            if !s.findings.is_empty() {
                run = run.highlight("yellow");
            }
            p = p.add_run(run);
            for &id in ends.get(&(bi, si)).into_iter().flatten() {
                p = p.add_comment_end(id + 1);
            }
        }
        docx = docx.add_paragraph(p);
    }
    let mut buf = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut buf)
        .map_err(|e| DocumentError::Docx(e.to_string()))?;
    Ok(buf.into_inner())
}

/// A run for text that may hold line breaks and tabs.
fn text_run(text: &str) -> Run {
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                run = run.add_tab();
            }
            if !piece.is_empty() {
                run = run.add_text(piece);
            }
        }
    }
    run
}

fn footer(text: &str) -> Footer {
    let mut f = Footer::new();
    if !text.is_empty() {
        f = f.add_paragraph(Paragraph::new().style("Footer").add_run(text_run(text)));
    }
    f.add_paragraph(
        Paragraph::new()
            .style("Footer")
            .add_run(Run::new().add_text("Page "))
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(" of "))
            .add_num_pages(NumPages::new()),
    )
}

fn style_id(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Letterhead => "Letterhead",
        BlockKind::LetterheadDetails => "LetterheadDetails",
        BlockKind::Date => "LetterDate",
        BlockKind::Recipient => "Recipient",
        BlockKind::Title => "Heading1",
        BlockKind::Reference => "Reference",
        BlockKind::Salutation => "Salutation",
        BlockKind::Heading => "Heading2",
        BlockKind::Body => "Normal",
        BlockKind::SignOff => "SignOff",
        BlockKind::Signature => "Signature",
        BlockKind::Marker => "Marker",
        BlockKind::Cc | BlockKind::Enclosures => "CcList",
    }
}

fn para(id: &str, name: &str) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next("Normal")
        .q_format(true)
}

fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new().before(before).after(after)
}

fn styles() -> Vec<Style> {
    let mut h1 = para("Heading1", "heading 1")
        .bold()
        .size(30)
        .color(ACCENT)
        .outline_lvl(0)
        .line_spacing(spacing(240, 160));
    h1.paragraph_property = h1.paragraph_property.keep_next(true);
    let mut h2 = para("Heading2", "heading 2")
        .bold()
        .size(23)
        .color(ACCENT)
        .outline_lvl(1)
        .line_spacing(spacing(200, 60));
    h2.paragraph_property = h2.paragraph_property.keep_next(true);
    let mut details = para("LetterheadDetails", "Letterhead Details")
        .size(17)
        .color(GREY)
        .align(AlignmentType::Right)
        .line_spacing(spacing(0, 360));
    details.paragraph_property = details.paragraph_property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(8)
                .space(6)
                .color(ACCENT),
        ),
    );
    let mut signoff = para("SignOff", "Sign-off").line_spacing(spacing(120, 720));
    signoff.paragraph_property = signoff.paragraph_property.keep_next(true);
    let mut signature = para("Signature", "Signature").line_spacing(spacing(0, 60));
    signature.paragraph_property = signature.paragraph_property.keep_next(true);
    vec![
        h1,
        h2,
        para("Letterhead", "Letterhead")
            .bold()
            .size(32)
            .color(ACCENT)
            .align(AlignmentType::Right)
            .line_spacing(spacing(0, 40)),
        details,
        para("LetterDate", "Letter Date")
            .align(AlignmentType::Right)
            .line_spacing(spacing(0, 240)),
        para("Recipient", "Recipient").line_spacing(spacing(0, 360)),
        para("Reference", "Reference")
            .bold()
            .line_spacing(spacing(120, 240)),
        para("Salutation", "Salutation").line_spacing(spacing(0, 200)),
        signoff,
        signature,
        para("Marker", "Marker")
            .italic()
            .size(18)
            .color(GREY)
            .line_spacing(spacing(120, 240)),
        para("CcList", "Cc List")
            .size(18)
            .line_spacing(spacing(0, 40)),
        para("Continuation", "header")
            .size(16)
            .color(GREY)
            .align(AlignmentType::Right)
            .line_spacing(spacing(0, 0)),
        para("Footer", "footer")
            .size(15)
            .color(GREY)
            .align(AlignmentType::Center)
            .line_spacing(spacing(0, 0)),
    ]
}
