//! Minutes as JSON numbers: an integer, or a number with no fractional part (`30.0`),
//! since JSON does not tell them apart and OpenAPI's `integer` accepts both.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

struct Minutes;

impl Visitor<'_> for Minutes {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number of minutes")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        let whole = v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v);
        if whole {
            // Exact: a whole number within u32's range.
            Ok(v as u32)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(Minutes)
}

/// For `Option<u32>` fields with `#[serde(default)]`.
pub mod option {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "super::deserialize")] u32);

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(m)| m))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Body {
        #[serde(deserialize_with = "super::deserialize")]
        m: u32,
    }

    fn read(json: &str) -> Option<u32> {
        serde_json::from_str::<Body>(json).ok().map(|b| b.m)
    }

    #[test]
    fn whole_numbers_in_either_notation_and_nothing_else() {
        assert_eq!(read(r#"{"m": 30}"#), Some(30));
        assert_eq!(read(r#"{"m": 1719.0}"#), Some(1719));
        assert_eq!(read(r#"{"m": 3e1}"#), Some(30));
        assert_eq!(read(r#"{"m": 30.5}"#), None);
        assert_eq!(read(r#"{"m": -30}"#), None);
        assert_eq!(read(r#"{"m": 4294967296}"#), None);
        assert_eq!(read(r#"{"m": 1e300}"#), None);
        assert_eq!(read(r#"{"m": "30"}"#), None);
    }
}
