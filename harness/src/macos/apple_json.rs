//! JSON the way `system_profiler -json` writes it: two-space indent like serde_json's pretty
//! printer, but with a space on both sides of each colon (`"_name" : "thunderboltusb4_bus_0"`),
//! as in captures from macOS 26 Mac Studios. Slashes are not escaped (`"80 Gb/s"`).

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// serde_json's pretty printer with Apple's `" : "` between key and value.
struct AppleFormatter<'a> {
    pretty: PrettyFormatter<'a>,
}

impl Formatter for AppleFormatter<'_> {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.pretty.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b" : ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

/// The document followed by a newline. Keys come out in the value's own order (struct field
/// order), so callers declare fields sorted as Apple sorts them.
pub fn to_apple_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let formatter = AppleFormatter {
        pretty: PrettyFormatter::with_indent(b"  "),
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut serializer)?;
    out.push(b'\n');
    // serde_json writes only UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Inner {
        current_speed_key: &'static str,
        n: u32,
    }

    #[derive(Serialize)]
    struct Outer {
        #[serde(rename = "SPThing")]
        things: Vec<Inner>,
    }

    #[test]
    fn colon_has_spaces_on_both_sides_and_slashes_stay() {
        let doc = Outer {
            things: vec![Inner {
                current_speed_key: "80 Gb/s",
                n: 1,
            }],
        };
        assert_eq!(
            to_apple_json(&doc).expect("serializes"),
            "{\n  \"SPThing\" : [\n    {\n      \"current_speed_key\" : \"80 Gb/s\",\n      \"n\" : 1\n    }\n  ]\n}\n"
        );
    }
}
