"""The platform's services, named once (docs/adding-a-service.md).

Everything that needs the list of services reads it here: settings (ports, URLs), `make run`,
`make test SERVICE=…`, the k8s generator, the gateway (routing, readiness, reports' freshness), the
audit trail and the test suites. A new service is one entry here plus its own package.

`python -m liandong.registry [names|domain|port NAME]` prints it for shell scripts and the Makefile.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceEntry:
    name: str  # the package, the topic prefix `<name>.events`, the API prefix `/api/v1/<name>`
    title: str  # in the offices' words
    port: int  # its web process under `make run`
    domain: bool = True  # a domain service behind the gateway (the gateway itself is not)
    audits_personal_reads: bool = True  # it keeps personal data and reports its reads (liandong.audit)
    imports: bool = False  # it takes the offices' ledgers (liandong.imports) and announces each import


REGISTRY: tuple[ServiceEntry, ...] = (
    ServiceEntry("gateway", "网关 (identity, org tree, reports, console)", 8000, domain=False,
                 audits_personal_reads=False, imports=True),
    ServiceEntry("petition", "信访 (petitions)", 8001),
    ServiceEntry("welfare", "民政 (welfare)", 8002, imports=True),
    ServiceEntry("volunteer", "志愿者 / 爱心银行 (volunteers, love bank)", 8003, imports=True),
    ServiceEntry("security", "平安社区 / 综治 (community safety)", 8004, imports=True),
)

SERVICES: tuple[str, ...] = tuple(s.name for s in REGISTRY)
DOMAIN_SERVICES: tuple[str, ...] = tuple(s.name for s in REGISTRY if s.domain)
DEFAULT_PORTS: dict[str, int] = {s.name: s.port for s in REGISTRY}
AUDITED_SERVICES: tuple[str, ...] = tuple(s.name for s in REGISTRY if s.audits_personal_reads)
IMPORTING_SERVICES: tuple[str, ...] = tuple(s.name for s in REGISTRY if s.imports)


def entry(name: str) -> ServiceEntry:
    for s in REGISTRY:
        if s.name == name:
            return s
    raise KeyError(f"no service {name!r}; the services are {', '.join(SERVICES)}")


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "names"
    if what == "names":
        print(" ".join(SERVICES))
    elif what == "domain":
        print(" ".join(DOMAIN_SERVICES))
    elif what == "port" and len(argv) == 2:
        try:
            print(entry(argv[1]).port)
        except KeyError as exc:
            print(exc.args[0], file=sys.stderr)
            return 2
    else:
        print("usage: python -m liandong.registry [names|domain|port NAME]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
