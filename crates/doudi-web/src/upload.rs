//! File uploads: a `multipart/form-data` form with text fields and at most one file, read whole
//! (up to [`MAX_UPLOAD_BYTES`]) and parsed with `multer`. The CSRF check reads the `_csrf`
//! field the same way ([`crate::middleware::csrf`]); text fields are held to the same rule as
//! every other form field (no control characters).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, header};

use crate::error::{AppError, FieldErrors};
use crate::input::is_forbidden;

/// The largest upload read: a county's household file of tens of thousands of rows is a few
/// megabytes as XLSX.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
/// The most parts one upload may have.
const MAX_PARTS: usize = 20;

/// A file sent with a form.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// Its name on the sender's computer (without any folder).
    pub name: String,
    /// Its content.
    pub bytes: Bytes,
}

/// A `multipart/form-data` form: its text fields, and its file, if one was chosen.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    /// Text fields, in order.
    pub fields: Vec<(String, String)>,
    /// The file of the field `file`, when one was chosen.
    pub file: Option<UploadedFile>,
    /// The files of the repeatable field `attachments` (a visit's photos), in order.
    pub attachments: Vec<UploadedFile>,
}

impl Upload {
    /// The value of a text field ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The boundary of a `multipart/form-data` request, if it is one.
pub fn boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(content_type).ok()
}

fn bad(message: &str) -> AppError {
    AppError::BadRequest(message.to_owned())
}

/// Reads a request body of at most [`MAX_UPLOAD_BYTES`].
pub async fn read_body(body: Body) -> Result<Bytes, AppError> {
    to_bytes(body, MAX_UPLOAD_BYTES).await.map_err(|e| {
        let limit = MAX_UPLOAD_BYTES / 1024 / 1024;
        if over_limit(&e) {
            AppError::TooLarge(format!(
                "上传的文件过大：最大{limit} MB，请拆分后分批上传，本次未保存任何内容"
            ))
        } else {
            bad("上传未完成（连接中断），本次未保存任何内容，请重试")
        }
    })
}

/// Whether reading a body failed because it was longer than allowed (rather than cut off).
pub(crate) fn over_limit(e: &axum::Error) -> bool {
    std::error::Error::source(e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
}

/// Parses a whole multipart body. A malformed body is 400; a text field that is not UTF-8 or
/// holds a control character is 422 naming the field.
pub async fn parse(boundary: &str, bytes: Bytes) -> Result<Upload, AppError> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut upload = Upload::default();
    let mut parts = 0;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| bad("上传的表单不完整或格式有误，请重新选择文件提交"))?
    {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(bad("上传的表单字段过多"));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(|n| {
            // Browsers send the bare name; some old ones the whole path.
            n.rsplit(['/', '\\']).next().unwrap_or_default().to_owned()
        });
        let content = field
            .bytes()
            .await
            .map_err(|_| bad("上传的表单不完整或格式有误，请重新选择文件提交"))?;
        match file_name {
            Some(file_name) if name == "file" => {
                if upload.file.is_some() {
                    return Err(bad("一次只能上传一个文件"));
                }
                if !file_name.is_empty() || !content.is_empty() {
                    if file_name.chars().any(is_forbidden) {
                        return Err(field_error("file", "文件名不能含有控制字符"));
                    }
                    upload.file = Some(UploadedFile {
                        name: file_name,
                        bytes: content,
                    });
                }
            }
            Some(file_name) if name == "attachments" => {
                if !file_name.is_empty() || !content.is_empty() {
                    if file_name.chars().any(is_forbidden) {
                        return Err(field_error("attachments", "文件名不能含有控制字符"));
                    }
                    upload.attachments.push(UploadedFile {
                        name: file_name,
                        bytes: content,
                    });
                }
            }
            Some(_) => return Err(bad("上传的表单中有意外的文件字段")),
            None => {
                let value = String::from_utf8(content.to_vec())
                    .map_err(|_| field_error(&name, "不是有效的文字（UTF-8）"))?;
                if name.chars().chain(value.chars()).any(is_forbidden) {
                    return Err(field_error(
                        &name,
                        "不能含有控制字符（如空字符 NUL、退格等不可见字符）",
                    ));
                }
                upload.fields.push((name, value));
            }
        }
    }
    Ok(upload)
}

fn field_error(field: &str, message: &str) -> AppError {
    let mut fields = FieldErrors::new();
    fields.add(field.to_owned(), message);
    AppError::Invalid {
        message: format!("“{field}”{message}"),
        fields,
    }
}

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = AppError;

    async fn from_request(mut request: Request, _: &S) -> Result<Upload, AppError> {
        // The CSRF check has read the form already (see `crate::middleware::csrf`).
        if let Some(upload) = request.extensions_mut().remove::<Upload>() {
            return Ok(upload);
        }
        let Some(boundary) = boundary(request.headers()) else {
            return Err(bad("请通过页面上的表单选择文件上传"));
        };
        let bytes = read_body(request.into_body()).await?;
        parse(&boundary, bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_over_the_limit_is_told_apart_from_one_cut_off() {
        let e = to_bytes(Body::from(vec![0u8; 10]), 5).await.unwrap_err();
        assert!(over_limit(&e), "{e}");
        let cut = Body::from_stream(futures_util::stream::iter([
            Ok::<_, std::io::Error>(Bytes::from_static(b"ab")),
            Err(std::io::Error::other("connection reset")),
        ]));
        let e = to_bytes(cut, 5).await.unwrap_err();
        assert!(!over_limit(&e), "{e}");
    }

    fn body(parts: &[(&str, Option<&str>, &[u8])]) -> Bytes {
        let mut out = Vec::new();
        for (name, file, content) in parts {
            out.extend_from_slice(b"--XyZ\r\n");
            match file {
                Some(f) => out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            out.extend_from_slice(content);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        Bytes::from(out)
    }

    #[tokio::test]
    async fn a_form_with_a_file_gives_its_fields_and_the_bare_file_name() {
        let upload = parse(
            "XyZ",
            body(&[
                ("_csrf", None, b"abc"),
                ("mode", None, "全部".as_bytes()),
                (
                    "file",
                    Some("C:\\Users\\社区\\家庭.xlsx"),
                    b"PK\x03\x04\x00\x01",
                ),
            ]),
        )
        .await
        .unwrap();
        assert_eq!(upload.get("_csrf"), "abc");
        assert_eq!(upload.get("mode"), "全部");
        let file = upload.file.unwrap();
        assert_eq!(file.name, "家庭.xlsx");
        assert_eq!(&file.bytes[..], b"PK\x03\x04\x00\x01");
    }

    #[tokio::test]
    async fn no_file_chosen_is_no_file() {
        let upload = parse("XyZ", body(&[("file", Some(""), b"")]))
            .await
            .unwrap();
        assert!(upload.file.is_none());
    }

    #[tokio::test]
    async fn broken_bodies_and_control_characters_are_refused_not_panicked_on() {
        assert!(matches!(
            parse("XyZ", Bytes::from_static(b"--XyZ\r\nContent-Disp")).await,
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse("XyZ", body(&[("mode", None, b"a\x00b")])).await,
            Err(AppError::Invalid { .. })
        ));
        assert!(matches!(
            parse("XyZ", body(&[("mode", None, b"\xff\xfe")])).await,
            Err(AppError::Invalid { .. })
        ));
        assert!(matches!(
            parse(
                "XyZ",
                body(&[("file", Some("a.csv"), b"1"), ("file", Some("b.csv"), b"2")])
            )
            .await,
            Err(AppError::BadRequest(_))
        ));
        for cut in 0..60 {
            let whole = body(&[("_csrf", None, b"abc"), ("file", Some("a.csv"), b"x,y")]);
            let _ = parse("XyZ", whole.slice(..cut.min(whole.len()))).await;
        }
    }
}
