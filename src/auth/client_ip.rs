//! Who is at the other end: the client's IP address, from the socket peer and, only
//! when that peer is a trusted reverse proxy, from `X-Forwarded-For`.
//!
//! The algorithm is the standard one for appending proxies (nginx's
//! `$proxy_add_x_forwarded_for`, AWS ALB): walk `X-Forwarded-For` from the right,
//! skipping addresses of trusted proxies; the first one that is not trusted is the
//! client. The leftmost entries are whatever the client sent, so they never count
//! while a trusted hop stands to their right. Rate limits key IPv6 clients by their
//! /64, since one customer line usually gets a whole /64 to rotate through.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    str::FromStr,
};

/// An address block: `10.0.0.0/8`, `::1/128`, or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(
            addr.trim()
                .parse::<IpAddr>()
                .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))?,
        );
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?} has an invalid prefix length"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl Default for TrustedProxies {
    /// A reverse proxy on the same host: the loopback addresses.
    fn default() -> Self {
        Self(vec![
            IpNet {
                addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
                prefix: 32,
            },
            IpNet {
                addr: IpAddr::V6(Ipv6Addr::LOCALHOST),
                prefix: 128,
            },
        ])
    }
}

impl TrustedProxies {
    /// Trusts nobody: the socket peer is always the client.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// Parses a comma-separated list of addresses and CIDR blocks; `none` or an empty
    /// list trusts no proxy.
    pub fn parse(list: &str) -> Result<Self, String> {
        if list.trim().eq_ignore_ascii_case("none") {
            return Ok(Self::none());
        }
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the
    /// rightmost `X-Forwarded-For` entry that is not itself a trusted proxy. An entry
    /// that is not an IP address stops the walk (whatever stands left of it was not
    /// written by a proxy we trust), and the hop to its right is the answer.
    pub fn client_ip<'h>(
        &self,
        peer: Option<SocketAddr>,
        forwarded_for: impl IntoIterator<Item = &'h str>,
    ) -> Option<IpAddr> {
        let peer = canonical(peer?.ip());
        if !self.contains(peer) {
            return Some(peer);
        }
        // Several X-Forwarded-For headers are one list, in order.
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        Some(client)
    }
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5678`,
/// `[::1]:80`), as some proxies write them.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, what a dual-stack socket reports) are
/// the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Whether a host names this machine: `localhost` or a loopback address (127.0.0.0/8,
/// `::1`), IPv6 with or without brackets. IPv4-mapped addresses are not taken for it.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The rate-limit key for a client: the address itself for IPv4, its /64 for IPv6.
pub fn rate_key(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let net = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", Ipv6Addr::from(net))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 5555))
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = TrustedProxies::default();
        assert_eq!(
            proxies.client_ip(peer("203.0.113.9"), ["1.2.3.4"]),
            ip("203.0.113.9")
        );
        assert_eq!(proxies.client_ip(None, ["1.2.3.4"]), None);
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        // The client sent a forged leftmost entry; nginx appended the real address.
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), ["6.6.6.6, 198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Two proxies deep: the inner one is skipped.
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), ["6.6.6.6, 198.51.100.7, 10.1.2.3"]),
            ip("198.51.100.7")
        );
        // Several headers count as one list.
        assert_eq!(
            proxies.client_ip(peer("10.0.0.5"), ["6.6.6.6", "198.51.100.7"]),
            ip("198.51.100.7")
        );
        // Nothing forwarded: the proxy itself.
        assert_eq!(proxies.client_ip(peer("127.0.0.1"), []), ip("127.0.0.1"));
        // Garbage stops the walk at the last hop a trusted proxy wrote.
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), ["junk, 10.0.0.9"]),
            ip("10.0.0.9")
        );
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), ["<script>"]),
            ip("127.0.0.1")
        );
        // Ports and brackets as some proxies write them.
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), ["[2001:db8::1]:443"]),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn addresses_are_canonical_and_ipv6_is_grouped_by_64() {
        assert_eq!(
            canonical("::ffff:192.0.2.1".parse().unwrap()),
            "192.0.2.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(rate_key("192.0.2.1".parse().unwrap()), "192.0.2.1");
        assert_eq!(
            rate_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            rate_key("2001:DB8:1:2:ffff:ffff:ffff:ffff".parse().unwrap())
        );
        assert_eq!(
            rate_key("2001:db8:1:2::9".parse().unwrap()),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            rate_key("2001:db8:1:2::1".parse().unwrap()),
            rate_key("2001:db8:1:3::1".parse().unwrap())
        );
    }

    #[test]
    fn parsing_trusted_proxies() {
        let p = TrustedProxies::parse("192.168.0.0/16, ::1, 2001:db8::/32").unwrap();
        assert!(p.contains("192.168.4.5".parse().unwrap()));
        assert!(p.contains("::ffff:192.168.4.5".parse().unwrap()));
        assert!(!p.contains("192.169.0.1".parse().unwrap()));
        assert!(p.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(p.contains("::1".parse().unwrap()));
        assert!(!p.contains("127.0.0.1".parse().unwrap()));
        assert_eq!(
            TrustedProxies::parse("none").unwrap(),
            TrustedProxies::none()
        );
        assert!(TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nonsense", "::1/129", "1.2.3.4/x"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }
}
