//! Which images Docker services use and how long they may take to start:
//! the official images by default, or others (a registry mirror's, or
//! images built locally by `.ci/docker-images`) given by name.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The Postgres image the contract is specified against.
pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:16-alpine";
/// The Redis image the contract is specified against.
pub const DEFAULT_REDIS_IMAGE: &str = "redis:7-alpine";
/// The environment variable that overrides [`DEFAULT_POSTGRES_IMAGE`].
pub const POSTGRES_IMAGE_ENV: &str = "CONFORMANCE_POSTGRES_IMAGE";
/// The environment variable that overrides [`DEFAULT_REDIS_IMAGE`].
pub const REDIS_IMAGE_ENV: &str = "CONFORMANCE_REDIS_IMAGE";
/// The environment variable that overrides [`DEFAULT_DOCKER_DEADLINE`] (seconds).
pub const DOCKER_DEADLINE_ENV: &str = "CONFORMANCE_DOCKER_TIMEOUT";
/// Pull, start and first answer of both containers: a first pull of the
/// official images takes seconds on a hosted runner; a stalled one must not
/// hold a run (or `auto`'s fallback) for longer than this.
pub const DEFAULT_DOCKER_DEADLINE: Duration = Duration::from_secs(120);

/// An image reference, `name:tag`, as testcontainers takes it: a name that
/// may carry a registry host and port (`mirror.example:5000/library/postgres`)
/// and a tag (`latest` when none is given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    name: String,
    tag: String,
}

/// Why an image reference was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid image `{text}`: {reason}")]
pub struct ImageRefError {
    text: String,
    reason: &'static str,
}

impl ImageRef {
    /// The repository part, e.g. `postgres` or `mirror:5000/library/postgres`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tag, e.g. `16-alpine`.
    pub fn tag(&self) -> &str {
        &self.tag
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refuse = |reason| ImageRefError {
            text: text.to_owned(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(refuse("expected NAME:TAG, e.g. postgres:16-alpine"));
        }
        if trimmed.contains('@') {
            return Err(refuse(
                "digests (NAME@sha256:...) are not supported by testcontainers: use NAME:TAG",
            ));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(refuse("an image name has no spaces"));
        }
        // A colon after the last slash separates the tag; one before it is
        // a registry's port.
        let last_slash = trimmed.rfind('/').map_or(0, |at| at + 1);
        let (name, tag) = match trimmed[last_slash..].rfind(':') {
            Some(at) => {
                let at = last_slash + at;
                (&trimmed[..at], &trimmed[at + 1..])
            }
            None => (trimmed, "latest"),
        };
        if name.is_empty() || name.ends_with('/') {
            return Err(refuse("the name before the tag is empty"));
        }
        if tag.is_empty() {
            return Err(refuse("the tag after `:` is empty"));
        }
        Ok(Self {
            name: name.to_owned(),
            tag: tag.to_owned(),
        })
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)
    }
}

/// What Docker services are made of: the two images and the deadline for
/// pulling and starting them. Only the `docker` and `auto` modes use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerOptions {
    /// The Postgres image; it must follow the official image's conventions
    /// (`POSTGRES_PASSWORD`, options as arguments, the ready line).
    pub postgres_image: ImageRef,
    /// The Redis image; it must print `Ready to accept connections`.
    pub redis_image: ImageRef,
    /// How long pulling, starting and the first answer of both may take.
    pub deadline: Duration,
}

impl Default for DockerOptions {
    /// The official images and [`DEFAULT_DOCKER_DEADLINE`].
    fn default() -> Self {
        Self {
            postgres_image: official(DEFAULT_POSTGRES_IMAGE),
            redis_image: official(DEFAULT_REDIS_IMAGE),
            deadline: DEFAULT_DOCKER_DEADLINE,
        }
    }
}

fn official(text: &str) -> ImageRef {
    let (name, tag) = text.split_once(':').unwrap_or((text, "latest"));
    ImageRef {
        name: name.to_owned(),
        tag: tag.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(String, String), String> {
        text.parse::<ImageRef>()
            .map(|image| (image.name().to_owned(), image.tag().to_owned()))
            .map_err(|error| error.to_string())
    }

    #[test]
    fn names_tags_and_registry_ports_are_told_apart() {
        let pair = |name: &str, tag: &str| Ok((name.to_owned(), tag.to_owned()));
        assert_eq!(parse("postgres:16-alpine"), pair("postgres", "16-alpine"));
        assert_eq!(parse("redis"), pair("redis", "latest"));
        assert_eq!(
            parse("mirror.example:5000/library/postgres:16-alpine"),
            pair("mirror.example:5000/library/postgres", "16-alpine")
        );
        assert_eq!(
            parse("mirror.example:5000/redis"),
            pair("mirror.example:5000/redis", "latest")
        );
        assert_eq!(
            parse(" conformance-postgres:15-8b88dc3a0652 "),
            pair("conformance-postgres", "15-8b88dc3a0652")
        );
    }

    #[test]
    fn malformed_references_say_what_is_wrong() {
        for (text, says) in [
            ("", "expected NAME:TAG"),
            ("postgres:", "tag after `:` is empty"),
            (":16", "name before the tag is empty"),
            ("postgres@sha256:abc", "digests"),
            ("post gres:16", "no spaces"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(says), "{text:?}: {error}");
        }
    }

    #[test]
    fn the_defaults_are_the_official_images_and_print_as_given() {
        let options = DockerOptions::default();
        assert_eq!(options.postgres_image.to_string(), DEFAULT_POSTGRES_IMAGE);
        assert_eq!(options.redis_image.to_string(), DEFAULT_REDIS_IMAGE);
        assert_eq!(
            DEFAULT_POSTGRES_IMAGE.parse::<ImageRef>().ok(),
            Some(options.postgres_image)
        );
    }
}
