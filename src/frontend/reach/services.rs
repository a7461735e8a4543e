//! Which push services this server will send to (`notifications.push_services`): a
//! subscription names a URL the server will POST to, so only known services are allowed.

use url::Url;

enum Allowed {
    /// This host, over https on the default port.
    Host(String),
    /// Any subdomain of this domain (given as `.domain`), over https on the default port.
    Subdomains(String),
    /// Exactly this scheme, host and port.
    Origin(url::Origin),
}

pub struct PushServices(Vec<Allowed>);

impl PushServices {
    /// From the validated setting; an entry that does not parse allows nothing.
    pub fn new(entries: &[String]) -> Self {
        let allowed = entries
            .iter()
            .filter_map(|entry| {
                if entry.contains("://") {
                    return Url::parse(entry)
                        .ok()
                        .map(|url| Allowed::Origin(url.origin()));
                }
                let entry = entry.to_ascii_lowercase();
                Some(match entry.strip_prefix('*') {
                    Some(suffix) => Allowed::Subdomains(suffix.to_owned()),
                    None => Allowed::Host(entry),
                })
            })
            .collect();
        Self(allowed)
    }

    /// Whether push is on at all.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Whether `endpoint` (already parsed as an http(s) URL) is one of the allowed services.
    pub fn allow(&self, endpoint: &Url) -> bool {
        let Some(host) = endpoint.host_str() else {
            return false;
        };
        let https = endpoint.scheme() == "https" && endpoint.port().is_none();
        self.0.iter().any(|allowed| match allowed {
            Allowed::Host(name) => https && host == name,
            Allowed::Subdomains(suffix) => {
                https && host.len() > suffix.len() && host.ends_with(suffix.as_str())
            }
            Allowed::Origin(origin) => &endpoint.origin() == origin,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn allows(services: &PushServices, url: &str) -> bool {
        services.allow(&Url::parse(url).unwrap())
    }

    #[test]
    fn only_the_listed_services_are_reached() {
        let services = PushServices::new(&[
            "fcm.googleapis.com".into(),
            "*.push.apple.com".into(),
            "http://127.0.0.1:9000".into(),
        ]);
        assert!(allows(&services, "https://fcm.googleapis.com/fcm/send/abc"));
        assert!(allows(&services, "https://web.push.apple.com/QGx"));
        assert!(allows(&services, "http://127.0.0.1:9000/push/1"));
        for refused in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://fcm.googleapis.com:8443/x",
            "https://fcm.googleapis.com.evil.example/x",
            "https://push.apple.com/x",
            "https://evilpush.apple.com.example/x",
            "http://127.0.0.1:9001/push/1",
            "https://127.0.0.1:9000/push/1",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(!allows(&services, refused), "{refused}");
        }
        assert!(!PushServices::new(&[]).any());
    }
}
