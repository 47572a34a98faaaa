//! A region's logo on a page: scaled into a box with its proportions kept, and in the structure
//! tree as a figure described "Logo van <regio>". A figure rather than decoration: on a
//! certificate the logo says who issued it, and a screen reader should say so too (the region's
//! name is also printed as text, so the description is short).
//!
//! Before a logo is stored, [`check_image`] draws it into a one-page PDF/A-2u + PDF/UA-1
//! document exactly as the certificate will, so a file krilla cannot decode (cut off, corrupt)
//! or PDF/A does not allow (CMYK without a profile) is refused at the upload, in Dutch, instead
//! of failing a certificate later. krilla embeds a JPEG as it is, reading only its headers, so a
//! JPEG is also decoded in full here (zune-jpeg, the decoder krilla uses, in strict mode).

use krilla::Data;
use krilla::geom::{Size, Transform};
use krilla::image::Image;
use krilla::surface::Surface;
use krilla::tagging::{ContentTag, Node, Tag, TagGroup};

use super::structure::Structure;
use super::{Align, PdfError, a4_page, standards, write_with};
use crate::domain::logo::{Logo, LogoType};

/// The most pixels a logo may have across or down: far more than a few printed centimetres
/// need, and few enough that decoding one stays cheap.
pub const MAX_LOGO_PIXELS: u32 = 2500;

/// Why a logo cannot be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the image cannot be decoded: {0}")]
    Unreadable(String),
    #[error("the image has more than {MAX_LOGO_PIXELS} pixels across or down")]
    TooManyPixels,
    #[error("the image does not fit PDF/A: {0}")]
    NotArchival(String),
}

/// The logo as krilla's image (its headers read; the pixels are decoded when the PDF is written).
pub fn logo_image(logo: &Logo) -> Result<Image, ImageError> {
    let data = Data::from(logo.content.clone());
    match logo.kind {
        LogoType::Png => Image::from_png(data, false),
        LogoType::Jpeg => Image::from_jpeg(data, false),
    }
    .map_err(ImageError::Unreadable)
}

/// The logo as an image to draw. Every stored logo passed [`check_image`]; should one not open
/// after all, the document is printed without it rather than not at all.
pub fn printable_logo(logo: Option<&Logo>) -> Option<Image> {
    let logo = logo?;
    logo_image(logo)
        .inspect_err(|error| tracing::warn!(%error, region = %logo.region_name, "logo left out"))
        .ok()
}

/// The description of the logo's figure.
pub fn logo_alt(region_name: &str) -> String {
    format!("Logo van {region_name}")
}

/// Draws `image` as large as fits the box `(x, y, width, height)` with its proportions kept,
/// against the box's left edge, centre or right edge (`align`) and centred in its height; a
/// figure described by `alt`, added to the innermost open element of `structure`.
pub fn draw_logo(
    surface: &mut Surface<'_>,
    structure: &mut Structure,
    image: &Image,
    (x, y, width, height): (f32, f32, f32, f32),
    align: Align,
    alt: &str,
) {
    let (pixels_across, pixels_down) = image.size();
    if pixels_across == 0 || pixels_down == 0 {
        return;
    }
    let scale = (width / pixels_across as f32).min(height / pixels_down as f32);
    let (drawn_width, drawn_height) = (pixels_across as f32 * scale, pixels_down as f32 * scale);
    let Some(size) = Size::from_wh(drawn_width, drawn_height) else {
        return;
    };
    let left = match align {
        Align::Left => x,
        Align::Center => x + (width - drawn_width) / 2.0,
        Align::Right => x + width - drawn_width,
    };
    let top = y + (height - drawn_height) / 2.0;
    let id = surface.start_tagged(ContentTag::Other);
    surface.push_transform(&Transform::from_translate(left, top));
    surface.draw_image(image.clone(), size);
    surface.pop();
    surface.end_tagged();
    structure.push(TagGroup::with_children(
        Tag::Figure(Some(alt.to_string())),
        vec![Node::from(id)],
    ));
}

/// Whether the logo can be printed: decodable, at most [`MAX_LOGO_PIXELS`] each way, and
/// allowed in PDF/A-2u + PDF/UA-1 (drawn into such a document to find out).
pub fn check_image(logo: &Logo) -> Result<(), ImageError> {
    let image = logo_image(logo)?;
    let (across, down) = image.size();
    if across == 0 || down == 0 {
        return Err(ImageError::Unreadable("an image without pixels".into()));
    }
    if across > MAX_LOGO_PIXELS || down > MAX_LOGO_PIXELS {
        return Err(ImageError::TooManyPixels);
    }
    if logo.kind == LogoType::Jpeg {
        decode_jpeg(&logo.content)?;
    }
    let configuration = standards().map_err(|error| ImageError::Unreadable(error.to_string()))?;
    let alt = logo_alt(&logo.region_name);
    let drawn = write_with(
        "Logo",
        &|document: &mut krilla::Document, structure: &mut Structure| {
            let mut page = a4_page(document, structure, "Logo".into())?;
            structure.open(Tag::Section);
            let mut surface = page.surface();
            draw_logo(
                &mut surface,
                structure,
                &image,
                (56.0, 56.0, 160.0, 80.0),
                Align::Left,
                &alt,
            );
            surface.finish();
            structure.close();
            page.finish();
            Ok(())
        },
        configuration,
    );
    match drawn {
        Ok(_) => Ok(()),
        Err(PdfError::Validation(problems)) => Err(ImageError::NotArchival(problems)),
        Err(other) => Err(ImageError::Unreadable(other.to_string())),
    }
}

/// Decodes every pixel of a JPEG, refusing one that ends early or has broken data.
fn decode_jpeg(content: &[u8]) -> Result<(), ImageError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_LOGO_PIXELS as usize)
        .set_max_height(MAX_LOGO_PIXELS as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(content), options);
    decoder
        .decode()
        .map(|_| ())
        .map_err(|error| ImageError::Unreadable(format!("{error:?}")))
}
