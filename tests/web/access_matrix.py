"""Who may call what: the access matrix, written by hand from the roles' meaning, NOT read from
the route table it checks (tests/web/test_access_matrix.py compares the two both ways).

Roles: `public` (no sign-in: the privacy center, the banner, health, sign-in itself),
`controller` (a controller served, with its own API key, Art. 28(3)(e): no console role and no
anonymous caller gets in), `viewer` (reads the console and the API), `officer` (acts:
requests, breaches, processors, retention, scanner, consent records of one person,
announcements), `admin` (users, sessions and the audit verification). Column `csrf`: `yes`
when an unsafe call must carry the session's CSRF token; `no` for the public endpoints that
take no session (JSON submissions, beacons, RFC 8058 one-click unsubscribe, posted by mail
clients and authorized by its signed token, and the pages a signed link opens for a system
owner or a controller, and the HMAC-signed webhook callback, where the signed token is the
authorization; the controllers' key-only API and portal, which take no session);
`-` for safe methods.

A new route needs a row here; a removed route needs its row removed.
"""

from __future__ import annotations

MATRIX_TEXT = """
# method  path                                                         role     csrf
GET     /                                                              public   -
GET     /healthz                                                       public   -
GET     /.well-known/gpc.json                                          public   -
GET     /privacy                                                       public   -
GET     /privacy/versions                                              public   -
GET     /privacy/versions/{version_id}                                 public   -
GET     /privacy/requests                                              public   -
POST    /privacy/requests                                              public   yes
GET     /privacy/requests/verify                                       public   -
POST    /privacy/requests/verify                                       public   yes
POST    /privacy/requests/resend                                       public   yes
GET     /privacy/requests/{public_id}                                  public   -
GET     /privacy/requests/{public_id}/messages                         public   -
POST    /privacy/requests/{public_id}/messages                         public   yes
GET     /privacy/requests/{public_id}/messages/files/{attachment_id}   public   -
GET     /privacy/requests/{public_id}/download                         public   -
POST    /privacy/requests/{public_id}/download                         public   yes
POST    /privacy/requests/{public_id}/signout                          public   yes
GET     /privacy/download/{token}                                      public   -
GET     /privacy/newsletter                                            public   -
POST    /privacy/newsletter                                            public   yes
GET     /privacy/newsletter/confirm                                    public   -
POST    /privacy/newsletter/confirm                                    public   yes
GET     /privacy/preferences                                           public   -
POST    /privacy/preferences/link                                      public   yes
POST    /privacy/preferences                                           public   yes
GET     /privacy/unsubscribe                                           public   -
POST    /privacy/unsubscribe                                           public   no
GET     /system-tasks/{link}                                           public   -
POST    /system-tasks/{link}                                           public   no
POST    /api/v1/system-tasks/{token}/callback                          public   no
GET     /processors/objections/{token}                                 public   -
POST    /processors/objections/{token}                                 public   no
GET     /consent/banner.js                                             public   -
GET     /consent/ui.js                                                 public   -
GET     /consent/banner.css                                            public   -
GET     /consent/config.json                                           public   -
POST    /consent/events                                                public   no
GET     /consent/demo                                                  public   -
GET     /analytics/script.js                                           public   -
POST    /analytics/event                                               public   no
GET     /console/login                                                 public   -
POST    /console/login                                                 public   yes
POST    /console/logout                                                public   yes
GET     /api/health                                                    public   -
GET     /api/docs                                                      public   -
POST    /api/requests                                                  public   no
POST    /api/requests/{public_id}/verify                               public   no
POST    /api/requests/{public_id}/code                                 public   no

GET     /console                                                       viewer   -
GET     /console/audit                                                 viewer   -
GET     /console/policy                                                viewer   -
GET     /console/policy/ropa                                           viewer   -
GET     /console/datamap                                               viewer   -
GET     /console/systems/{key}                                         viewer   -
GET     /console/users                                                 admin    -
POST    /console/users                                                 admin    yes
POST    /console/users/{user_id}/disable                               admin    yes
POST    /console/users/{user_id}/enable                                admin    yes
POST    /console/users/{user_id}/role                                  admin    yes
POST    /console/users/{user_id}/sessions/end                          admin    yes

GET     /console/requests                                              viewer   -
GET     /console/requests/new                                          officer  -
POST    /console/requests/new                                          officer  yes
GET     /console/requests/{req_id}                                     viewer   -
POST    /console/requests/bulk                                         officer  yes
POST    /console/requests/{req_id}/assign                              officer  yes
POST    /console/requests/{req_id}/notes                               officer  yes
POST    /console/requests/{req_id}/verify                              officer  yes
POST    /console/requests/{req_id}/messages                            officer  yes
GET     /console/requests/{req_id}/messages/files/{attachment_id}      officer  -
POST    /console/requests/{req_id}/plan                                officer  yes
POST    /console/requests/{req_id}/approve                             officer  yes
GET     /console/requests/{req_id}/confirm                             officer  -
POST    /console/requests/{req_id}/draft                               officer  yes
POST    /console/requests/{req_id}/send                                officer  yes
POST    /console/requests/{req_id}/run                                 officer  yes
POST    /console/requests/{req_id}/extend                              officer  yes
POST    /console/requests/{req_id}/refuse                              officer  yes
POST    /console/requests/{req_id}/ask                                 officer  yes
POST    /console/requests/{req_id}/answered                            officer  yes
POST    /console/requests/{req_id}/paid                                officer  yes
POST    /console/requests/{req_id}/withdraw                            officer  yes
POST    /console/requests/{req_id}/complete                            officer  yes
POST    /console/requests/{req_id}/notice                              officer  yes
POST    /console/requests/{req_id}/lift-restriction                    officer  yes
POST    /console/requests/{req_id}/notifications/{recipient}/confirm   officer  yes
POST    /console/requests/{req_id}/notifications/{recipient}/waive     officer  yes
GET     /console/outbox                                                officer  -

GET     /console/breaches                                              viewer   -
GET     /console/breaches/new                                          officer  -
POST    /console/breaches/new                                          officer  yes
GET     /console/breaches/{breach_id}                                  viewer   -
GET     /console/breaches/{breach_id}/edit                             officer  -
POST    /console/breaches/{breach_id}/edit                             officer  yes
POST    /console/breaches/{breach_id}/assess                           officer  yes
POST    /console/breaches/{breach_id}/notify                           officer  yes
POST    /console/breaches/{breach_id}/close                            officer  yes
GET     /console/breaches/{breach_id}/notice                           viewer   -
POST    /console/breaches/{breach_id}/affected                         officer  yes
GET     /console/breaches/export/{fmt}                                 viewer   -

GET     /console/processors                                            viewer   -
POST    /console/processors/changes                                    officer  yes
GET     /console/processors/export/{fmt}                               viewer   -
GET     /console/processors/record.{fmt}                               viewer   -

GET     /console/retention                                             viewer   -
POST    /console/retention/refresh                                     officer  yes
POST    /console/retention/rules/{rule_key}/run                        officer  yes
GET     /console/retention/runs/{run_id}                               viewer   -
POST    /console/retention/holds                                       officer  yes
POST    /console/retention/holds/{hold_id}/lift                        officer  yes

GET     /console/scanner                                               viewer   -
POST    /console/scanner/scan                                          officer  yes

GET     /console/consent                                               viewer   -
GET     /console/consent/subject                                       officer  -
POST    /console/consent/subject                                       officer  yes
GET     /console/consent/proof                                         officer  -
GET     /console/consent/notices                                       viewer   -
GET     /console/consent/notices/{sha}                                 viewer   -
GET     /console/consent/import                                        officer  -
POST    /console/consent/import                                        officer  yes

GET     /console/analytics                                             viewer   -
GET     /console/analytics.csv                                         viewer   -
GET     /console/announcements                                         viewer   -
GET     /console/announcements/{announcement_id}                       viewer   -
POST    /console/announcements/{announcement_id}/send                  officer  yes
POST    /console/announcements/{announcement_id}/retry                 officer  yes

GET     /api/policy                                                    viewer   -
GET     /api/ropa                                                      viewer   -
GET     /api/audit/verify                                              admin    -
GET     /api/consent/check                                             viewer   -
POST    /api/consent/filter                                            viewer   yes
POST    /api/consent/events                                            officer  yes

GET     /api/requests                                                  viewer   -
GET     /api/requests/{ident}                                          viewer   -
POST    /api/requests/officer                                          officer  yes
POST    /api/requests/{ident}/evidence                                 officer  yes
POST    /api/requests/{ident}/plan                                     officer  yes
POST    /api/requests/{ident}/approve                                  officer  yes
POST    /api/requests/{ident}/send                                     officer  yes
POST    /api/requests/{ident}/run                                      officer  yes
POST    /api/requests/{ident}/extend                                   officer  yes
POST    /api/requests/{ident}/refuse                                   officer  yes
POST    /api/requests/{ident}/payment                                  officer  yes
POST    /api/requests/{ident}/withdraw                                 officer  yes
POST    /api/requests/{ident}/ask                                      officer  yes
POST    /api/requests/{ident}/answered                                 officer  yes
POST    /api/requests/{ident}/complete                                 officer  yes
POST    /api/requests/{ident}/lift-restriction                         officer  yes
POST    /api/requests/{ident}/notifications/{recipient}/confirm        officer  yes
POST    /api/requests/{ident}/notifications/{recipient}/waive          officer  yes

GET     /api/breaches                                                  viewer   -
POST    /api/breaches                                                  officer  yes
GET     /api/breaches/export                                           viewer   -
GET     /api/breaches/{breach_id}                                      viewer   -
PUT     /api/breaches/{breach_id}                                      officer  yes
GET     /api/breaches/{breach_id}/versions                             viewer   -
POST    /api/breaches/{breach_id}/assessment                           officer  yes
POST    /api/breaches/{breach_id}/notifications                        officer  yes
POST    /api/breaches/{breach_id}/close                                officer  yes
GET     /api/breaches/{breach_id}/notice                               viewer   -
GET     /api/breaches/{breach_id}/letter                               viewer   -
POST    /api/breaches/{breach_id}/affected                             officer  yes
POST    /api/breaches/{breach_id}/letters                              officer  yes

GET     /api/processors                                                viewer   -
GET     /api/processors/export                                         viewer   -
GET     /api/processors/changes                                        viewer   -
POST    /api/processors/changes                                        officer  yes
GET     /api/processors/record                                         viewer   -
GET     /api/processors/subprocessor-notices                           viewer   -

# A controller served (Art. 28(3)(e)) with its own API key; no console role may call these.
GET     /controllers/portal                                            public   -
POST    /controllers/portal                                            public   no
POST    /api/controllers/requests                                      controller no
GET     /api/controllers/requests                                      controller -
GET     /api/controllers/requests/{public_id}                          controller -
GET     /api/controllers/requests/{public_id}/report                   controller -
GET     /api/controllers/requests/{public_id}/package                  controller -
GET     /console/controllers                                           viewer   -
POST    /console/controllers/{controller}/keys                         admin    yes
POST    /console/controllers/keys/{prefix}/revoke                      admin    yes
"""

ROLES = ("anonymous", "viewer", "officer", "admin")
RANK = {"public": 0, "viewer": 1, "officer": 2, "admin": 3}
# `controller`: only a controller's API key (Art. 28(3)(e)) opens it; no console role does.
KEY_ONLY = "controller"


def rows() -> list[tuple[str, str, str, str]]:
    out = []
    for line in MATRIX_TEXT.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        method, path, role, csrf = line.split()
        assert (role in RANK or role == KEY_ONLY) and csrf in ("yes", "no", "-"), line
        out.append((method, path, role, csrf))
    return out
