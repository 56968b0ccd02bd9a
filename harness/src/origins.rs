//! The CORS misconfiguration catalogue for an allowed origin: the origins
//! that an origin check wider than an exact comparison lets through
//! (CORScanner's and PortSwigger's classes), each made from the allowed
//! origin itself, so that a scenario can send every one of them to any
//! subject. `null` needs no making: scenarios write it.

/// One origin of the catalogue: the built-in variable it is (`${...}`,
/// whose meaning in the variables' table says what mistake grants it), and
/// how it is made from the allowed origin
/// (`None` where the allowed origin has no such neighbour, as a host
/// without a dot has none for an unescaped dot).
pub(crate) struct Neighbour {
    /// The built-in variable's name.
    pub(crate) variable: &'static str,
    /// Makes it from the allowed origin's parts.
    make: fn(&Parts<'_>) -> Option<String>,
}

/// The parts of a serialized origin: `scheme://host[:port]`.
pub(crate) struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<u16>,
}

impl Parts<'_> {
    fn port_suffix(&self) -> String {
        self.port.map(|p| format!(":{p}")).unwrap_or_default()
    }

    fn with_host(&self, host: &str) -> String {
        format!("{}://{host}{}", self.scheme, self.port_suffix())
    }
}

/// Splits a serialized origin; `None` for anything else (`null`).
pub(crate) fn parts(origin: &str) -> Option<Parts<'_>> {
    let (scheme, rest) = origin.split_once("://")?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.contains(']') || host.ends_with(']') => {
            (host, Some(port.parse().ok()?))
        }
        _ => (rest, None),
    };
    (!host.is_empty()).then_some(Parts { scheme, host, port })
}

/// The catalogue: one built-in variable per class.
pub(crate) const CATALOGUE: &[Neighbour] = &[
    Neighbour {
        variable: "origin_prefix_match",
        make: |p| {
            Some(format!(
                "{}://{}{}.evil.example",
                p.scheme,
                p.host,
                p.port_suffix()
            ))
        },
    },
    Neighbour {
        variable: "origin_suffix_match",
        make: |p| Some(p.with_host(&format!("evil{}", p.host))),
    },
    Neighbour {
        variable: "origin_include_match",
        make: |p| {
            (p.host.chars().count() > 1)
                .then(|| p.with_host(&p.host[p.host.char_indices().nth(1).map_or(0, |(i, _)| i)..]))
        },
    },
    Neighbour {
        variable: "origin_other_port",
        make: |p| {
            let other = match p.port {
                Some(port) if port < u16::MAX => port + 1,
                Some(_) => 1,
                None => 8443,
            };
            Some(format!("{}://{}:{other}", p.scheme, p.host))
        },
    },
    Neighbour {
        variable: "origin_other_scheme",
        make: |p| {
            let other = if p.scheme == "https" { "http" } else { "https" };
            Some(format!("{other}://{}{}", p.host, p.port_suffix()))
        },
    },
    Neighbour {
        variable: "origin_subdomain",
        make: |p| Some(p.with_host(&format!("evil.{}", p.host))),
    },
    Neighbour {
        variable: "origin_unescaped_dot",
        make: |p| {
            p.host
                .contains('.')
                .then(|| p.with_host(&p.host.replacen('.', "x", 1)))
        },
    },
    Neighbour {
        variable: "origin_special_characters",
        make: |p| Some(p.with_host(&format!("{}_.evil.example", p.host))),
    },
    Neighbour {
        variable: "origin_trailing_slash",
        make: |p| Some(format!("{}://{}{}/", p.scheme, p.host, p.port_suffix())),
    },
    Neighbour {
        variable: "origin_with_path",
        make: |p| Some(format!("{}://{}{}/evil", p.scheme, p.host, p.port_suffix())),
    },
];

/// Every neighbour of `allowed` that exists, as (variable, origin).
pub(crate) fn neighbours(allowed: &str) -> Vec<(&'static str, String)> {
    let Some(p) = parts(allowed) else {
        return Vec::new();
    };
    CATALOGUE
        .iter()
        .filter_map(|n| (n.make)(&p).map(|origin| (n.variable, origin)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(allowed: &str) -> Vec<String> {
        neighbours(allowed).into_iter().map(|(_, o)| o).collect()
    }

    #[test]
    fn a_dotless_origin_has_every_neighbour_but_the_unescaped_dot() {
        assert_eq!(
            made("http://localhost:5173"),
            vec![
                "http://localhost:5173.evil.example",
                "http://evillocalhost:5173",
                "http://ocalhost:5173",
                "http://localhost:5174",
                "https://localhost:5173",
                "http://evil.localhost:5173",
                "http://localhost_.evil.example:5173",
                "http://localhost:5173/",
                "http://localhost:5173/evil",
            ]
        );
    }

    #[test]
    fn a_dotted_origin_without_a_port_has_the_unescaped_dot_too() {
        let all = neighbours("https://app.garden.example");
        let get = |v: &str| all.iter().find(|(n, _)| *n == v).map(|(_, o)| o.as_str());
        assert_eq!(
            get("origin_unescaped_dot"),
            Some("https://appxgarden.example")
        );
        assert_eq!(
            get("origin_other_port"),
            Some("https://app.garden.example:8443")
        );
        assert_eq!(
            get("origin_other_scheme"),
            Some("http://app.garden.example")
        );
        assert!(neighbours("null").is_empty());
    }

    #[test]
    fn no_neighbour_is_the_allowed_origin() {
        for allowed in ["http://localhost:5173", "https://app.garden.example"] {
            assert!(made(allowed).iter().all(|o| o != allowed));
        }
    }

    #[test]
    fn every_class_is_a_built_in_variable() {
        use crate::scenario::vars::{BUILTIN, Source};
        let builtins: Vec<&str> = BUILTIN
            .iter()
            .filter(|b| b.source == Source::Neighbour)
            .map(|b| b.name)
            .collect();
        let classes: Vec<&str> = CATALOGUE.iter().map(|n| n.variable).collect();
        assert_eq!(builtins, classes);
    }
}
