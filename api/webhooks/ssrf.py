"""No webhooks to our own network: an endpoint must resolve to public addresses only.

Checked when an endpoint is registered and again before every send; the send
then connects to the very address that was checked (pinned), so a DNS answer
that changes between check and connect cannot redirect it. Loopback is allowed
only with WEBHOOKS_ALLOW_LOOPBACK (tests and the demo).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeEndpoint(Exception):
    """The URL is not one ClinicPro will call; the message is fit to show an owner."""


@dataclass(frozen=True)
class PinnedTarget:
    url: str  # the endpoint's URL with its host replaced by the checked address
    host_header: str
    hostname: str
    address: IpAddress


def _is_allowed(address: IpAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback:
        return settings.WEBHOOKS_ALLOW_LOOPBACK
    return address.is_global and not address.is_multicast


def _resolve(hostname: str, port: int) -> list[IpAddress]:
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeEndpoint(f"{hostname} does not resolve.") from exc
    hosts = {info[4][0] for info in infos}
    # Stream sockets of an IP family give the address as text; only other families give numbers.
    return sorted({ipaddress.ip_address(host.split("%")[0]) for host in hosts if isinstance(host, str)}, key=str)


def pinned_target(url: str) -> PinnedTarget:
    """Check `url` and return where to connect; UnsafeEndpoint when any address it resolves to is not public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeEndpoint("The URL must start with https:// (or http://) and name a host.")
    if parts.username or parts.password:
        raise UnsafeEndpoint("The URL must not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeEndpoint("The URL's port is not valid.") from exc
    addresses = _resolve(parts.hostname, port)
    refused = [address for address in addresses if not _is_allowed(address)]
    if refused or not addresses:
        raise UnsafeEndpoint(
            f"{parts.hostname} resolves to a private, loopback or otherwise internal address; "
            "webhooks go only to public addresses."
        )
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{port}"
    default_port = parts.port is None
    host_header = parts.hostname if default_port else f"{parts.hostname}:{port}"
    return PinnedTarget(
        url=urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")),
        host_header=host_header,
        hostname=parts.hostname,
        address=address,
    )
