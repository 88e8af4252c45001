"""``doctor``: check each configured provider's key and endpoints, writing nothing."""

from __future__ import annotations

from core.cli.base import EXIT_FAILED, EXIT_OK, out
from core.providers import NAMES


def register(sub) -> None:
    p = sub.add_parser("doctor", help="check each configured provider's key and endpoints (writes nothing)")
    p.add_argument(
        "--provider", nargs="+", choices=list(NAMES), metavar="NAME", help=f"only these providers ({', '.join(NAMES)})"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=doctor)


def doctor(args, ctx) -> int:
    import json

    from core.doctor import FAILED, NOT_CONFIGURED, diagnose, require_configured

    found = diagnose(ctx.settings, providers=args.provider)
    require_configured(found)
    if args.json:
        rows = [
            {
                "provider": d.provider,
                "status": d.status,
                "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in d.checks],
            }
            for d in found
        ]
        out(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        f = ctx.f
        for d in found:
            what = f.t("doctor_not_configured", env=d.key_env) if d.status == NOT_CONFIGURED else d.advice
            out(f.t("cli_doctor_line", provider=d.label, status=f.t(f"doctor_status_{d.status}"), what=what))
    return EXIT_FAILED if any(d.status == FAILED for d in found) else EXIT_OK
