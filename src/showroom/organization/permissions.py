"""Who may open each screen: one table, read by the access check and by the navigation.

`SCREENS` maps every URL name of the project ("kpi:dashboard") to the roles that may open it.
Superusers open everything. Three markers stand in place of roles:

- `PUBLIC`: anyone, signed in or not (the login page, logging out, the language switch).
- `SIGNED_IN`: any signed-in user, whatever their roles (home, the password change, the API's
  description).
- `OWN_AUTH`: the view authenticates and authorises the request itself. Only the API's
  operations (/api/…) are marked so: django-ninja accepts the staff login session or the
  lead-intake key and answers 401 without one; each operation checks the caller's roles.

Django's admin is not mounted (/admin/ answers 404): everything is administered on the
product's own screens. A namespace whose views checked access themselves would be named in
`SCREENS_OF_THEIR_OWN`; there is none.

`organization.middleware.ScreenPermissionMiddleware` enforces the table before any view runs:
a visitor who is not signed in goes to the login page, a role the table does not admit gets
403, and a URL name that has no entry is refused to everyone, so a new URL without an entry
fails at once (and `organization/tests/test_permissions.py` names it). Which rows a user sees
on a screen is decided in `organization.access`.
"""

from __future__ import annotations

from showroom.organization.choices import Role
from showroom.organization.models import Staff

# Markers, not roles: no role has these values.
PUBLIC = frozenset({"<public>"})
SIGNED_IN = frozenset({"<signed-in>"})
OWN_AUTH = frozenset({"<own-auth>"})

# URL namespaces whose views check access themselves, with what they check.
SCREENS_OF_THEIR_OWN: dict[str, str] = {}

_RECEPTIONIST = Role.RECEPTIONIST.value
_CONSULTANT = Role.CONSULTANT.value
_MANAGER = Role.MANAGER.value
_ASSISTANT = Role.ASSISTANT.value
_DCC = Role.DCC.value
_CRM = Role.CRM.value
_MARKETING = Role.MARKETING.value
_GM = Role.GENERAL_MANAGER.value
_GROUP = Role.GROUP.value
_STORE_ADMIN = Role.STORE_ADMIN.value
_GROUP_ADMIN = Role.GROUP_ADMIN.value

MANAGERS = frozenset({_MANAGER, _GM})
# Selling: consultants and the managers who stand in for them.
SELLERS = MANAGERS | {_CONSULTANT}
# The deal desk: sellers and the sales assistant.
SALES = SELLERS | {_ASSISTANT}
# The front desk: the receptionist, and the sales office who cover for them.
DESK = MANAGERS | {_RECEPTIONIST, _ASSISTANT}
# The walk-in and call registers.
REGISTERS = DESK | {_CONSULTANT}
# Customer cards: whoever works with customers; never the receptionist, marketing or the group.
CARDS = SALES | {_CRM}
# The lead desk: the DCC and the sales managers; a consultant works the leads given to them.
LEAD_DESK = MANAGERS | {_DCC, _CONSULTANT}
# The appointments calendar: whoever books or receives a visit.
CALENDAR = LEAD_DESK | {_RECEPTIONIST, _ASSISTANT}
# The management reports of the store.
REPORTS = SALES | {_GROUP}
# KPI figures.
STATS = MANAGERS | {_ASSISTANT, _GROUP, _MARKETING, _CRM}
DASHBOARD = STATS - {_CRM}
# The CRM department's work, which the sales managers follow.
CRM_WORK = MANAGERS | {_CRM}
# The import center: the sales assistant's work, the managers' and the CRM's.
IMPORTS = MANAGERS | {_ASSISTANT, _CRM}
# The CRM's aggregates: read by marketing and the group too.
CRM_READ = CRM_WORK | {_MARKETING, _GROUP}
# Administration: stores, staff, the roster and the store's settings.
ADMINS = frozenset({_STORE_ADMIN, _GM, _GROUP_ADMIN})
# The day's roster: the front desk marks who is at lunch or out; the sales managers and the
# admins also set the order and the rotation rules.
ROSTER = DESK | ADMINS
ROSTER_RULES = MANAGERS | ADMINS

SCREENS: dict[str, frozenset[str]] = {
    # organization
    "login": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
    "home": SIGNED_IN,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "login_locks": MANAGERS,
    "store_settings": ADMINS,
    "first_run": PUBLIC,  # answers only while the database has no login at all
    # administration
    "administration:stores": ADMINS,
    "administration:store_new": frozenset({_GROUP_ADMIN}),
    "administration:store_edit": ADMINS,
    "administration:store_active": frozenset({_GROUP_ADMIN}),
    "administration:group_new": frozenset({_GROUP_ADMIN}),
    "administration:group_edit": frozenset({_GROUP_ADMIN}),
    "administration:staff": ADMINS,
    "administration:staff_new": ADMINS,
    "administration:staff_edit": ADMINS,
    "administration:staff_password": ADMINS,
    "administration:staff_active": ADMINS,
    "administration:staff_signins": ADMINS,
    "administration:roster": ROSTER,
    "administration:roster_duty": ROSTER,
    "administration:roster_move": ROSTER_RULES,
    "administration:roster_rules": ROSTER_RULES,
    "administration:changes": ADMINS,
    # traffic: the front desk and the registers
    "traffic:desk": DESK,
    "traffic:desk_duty": DESK,  # on duty, at lunch, out: the roster's duty, from the desk
    "traffic:log_walkin": DESK,
    "traffic:log_call": DESK | {_DCC},
    "traffic:depart": REGISTERS,
    "traffic:walkin_cancel": DESK,
    "traffic:phone_check": REGISTERS | {_DCC},
    "traffic:my_rows": frozenset({_CONSULTANT}),
    "traffic:register": REGISTERS,
    "traffic:calls": REGISTERS | {_DCC},
    "traffic:walkin_edit": REGISTERS,
    "traffic:call_edit": REGISTERS,
    "traffic:walkin_history": REGISTERS | {_DCC},
    "traffic:call_history": REGISTERS | {_DCC},
    "traffic:walkin_link": SALES,
    "traffic:call_link": SALES,
    "traffic:api_keys": MANAGERS,
    "traffic:api_key_revoke": MANAGERS,
    # traffic: the lead desk and the appointments calendar
    "traffic:leads": LEAD_DESK,
    "traffic:lead_new": MANAGERS | {_DCC},
    "traffic:lead_escalations": MANAGERS,
    "traffic:lead_settings": MANAGERS,
    "traffic:lead": LEAD_DESK,
    "traffic:lead_contact": LEAD_DESK,
    "traffic:lead_book": LEAD_DESK,
    "traffic:lead_convert": LEAD_DESK,
    "traffic:lead_close": LEAD_DESK,
    "traffic:lead_assign": MANAGERS,
    "traffic:calendar": CALENDAR,
    "traffic:appointment_new": CALENDAR,
    "traffic:no_shows": LEAD_DESK | {_RECEPTIONIST},
    "traffic:appointment_shown": DESK,
    "traffic:appointment_status": CALENDAR,
    # customers: the card
    "customers:list": CARDS,
    "customers:new": SALES,
    "customers:phone_check": SALES,
    "customers:trims": SALES,  # the card form's trim suggestions
    "customers:handover": MANAGERS,
    "customers:card": CARDS,
    "customers:edit": SALES,  # the CRM reads cards but never changes them
    "customers:history": CARDS,
    # customers: the store's sources, models offered and follow-up cadence
    "customer_settings:sources": ADMINS,
    "customer_settings:source_edit": ADMINS,
    "customer_settings:models": ADMINS,
    "customer_settings:model_edit": ADMINS,
    "customer_settings:follow_up": ADMINS,
    # sales
    "sales:my_day": SELLERS,
    "sales:overdue": CARDS,
    "sales:log_contact": SELLERS,
    "deals:orders": SALES,
    "deals:customer": SALES,
    "deals:test_drive_new": SALES,
    "deals:quote_new": SALES,
    "deals:order_new": SALES,
    "deals:order_detail": SALES,
    "deals:order_edit": SALES,
    "deals:order_cancel": SALES,
    "deals:order_restore": MANAGERS,
    "deals:order_history": SALES,
    "deals:deliver": SALES,
    "deals:aftercare": SALES,
    "deals:aftercare_done": SALES,
    "deals:losses": SALES,
    "deals:loss_request": SELLERS,
    "deals:losses_pending": MANAGERS,
    "deals:loss_detail": SALES,
    "deals:loss_confirm": MANAGERS,
    "deals:loss_return": MANAGERS,
    "deals:loss_reopen": MANAGERS,
    # the management reports
    "reports:index": REPORTS,
    "reports:daily": REPORTS,
    "reports:daily_review": MANAGERS,
    "reports:contact_status": REPORTS,
    "reports:contact_status_xlsx": REPORTS,
    "reports:losses": REPORTS | {_CRM},
    "reports:losses_xlsx": REPORTS | {_CRM},
    "reports:evening": MANAGERS | {_ASSISTANT},
    # owners
    "owners:list": CARDS,
    "owners:new": CARDS,
    "owners:detail": CARDS,
    "owners:vehicle_new": CARDS,
    "owners:vehicle_edit": CARDS,
    "owners:visit_new": CARDS,
    "owners:care_new": CARDS,
    "owners:referral_add": CARDS,
    # kpi
    "kpi:dashboard": DASHBOARD,
    "kpi:drill": DASHBOARD,
    "kpi:overview": STATS,
    "kpi:monthly": STATS | {_CONSULTANT},
    "kpi:monthly_xlsx": STATS | {_CONSULTANT},
    "kpi:report_xlsx": MANAGERS | {_ASSISTANT, _GROUP},
    "kpi:board": MANAGERS | {_ASSISTANT, _RECEPTIONIST},
    "kpi:group": MANAGERS | {_GROUP},
    "kpi:value": MANAGERS | {_GROUP},
    # targets
    "targets:index": SALES | {_GROUP},
    "targets:set": MANAGERS | {_ASSISTANT},
    "targets:split": MANAGERS | {_ASSISTANT},
    # crm: call lists (the consultants work the entries handed to them)
    "crm:lists": CRM_WORK,
    "crm:list_new": frozenset({_CRM}),
    "crm:list_import": frozenset({_CRM}),
    "crm:recall_new": CRM_WORK,
    "crm:list_detail": CRM_WORK,
    "crm:list_submit": frozenset({_CRM}),
    "crm:list_assign": MANAGERS,
    "crm:list_close": CRM_WORK,
    "crm:entry": CRM_WORK | {_CONSULTANT},
    "crm:entry_call": frozenset({_CRM}),
    "crm:entry_card": SELLERS,
    "crm:entry_close": SELLERS,
    # crm: the data cross-check (a consultant sees and fixes their own exceptions)
    "crm:crosscheck": CRM_WORK | {_CONSULTANT},
    "crm:crosscheck_explain": CRM_WORK,
    "crm:crosscheck_refresh": CRM_WORK,
    "crm:crosscheck_thresholds": ADMINS,
    "crm:intent_checks": CRM_WORK,
    "crm:intent_record": CRM_WORK,
    "crm:intent_stats": CRM_WORK,
    # crm: interviews, surveys, channels, reports
    "crm:interviews": CRM_WORK,
    "crm:interview": CRM_WORK,
    "crm:profiles": CRM_READ,
    "crm:surveys": CRM_READ,
    "crm:survey_new": CRM_WORK,
    "crm:survey_edit": CRM_WORK,
    "crm:survey_take": CRM_WORK,
    "crm:survey_results": CRM_READ,
    "crm:channels": CRM_READ,
    "crm:channels_xlsx": CRM_READ,
    "crm:channel_spend": CRM_WORK | {_MARKETING},
    "crm:reports": CRM_READ,
    "crm:report": CRM_READ,
    "crm:report_xlsx": CRM_READ,
    # notices: everyone's own bell and list
    "notices:list": SIGNED_IN,
    "notices:count": SIGNED_IN,
    "notices:open": SIGNED_IN,
    "notices:read": SIGNED_IN,
    "notices:read_all": SIGNED_IN,
    # exchange: the import center, blank templates and exports
    "exchange:imports": IMPORTS,
    "exchange:import_detail": IMPORTS,
    "exchange:import_confirm": IMPORTS,
    "exchange:import_undo": IMPORTS,
    "exchange:template": IMPORTS,
    "exchange:export": IMPORTS,
    # the REST API
    "api:openapi-json": SIGNED_IN,
    "api:openapi-view": SIGNED_IN,
    "api:api-root": OWN_AUTH,
    "api:registry": OWN_AUTH,
    "api:values": OWN_AUTH,
    "api:add_lead": OWN_AUTH,
}


def allows(user: Staff, url_name: str) -> bool:
    """May `user` open the screen named `url_name`? (Unknown names: nobody may.)"""
    roles = SCREENS.get(url_name)
    if roles is None:
        return False
    if roles in (PUBLIC, OWN_AUTH):
        return True
    if not user.is_authenticated:
        return False
    return roles == SIGNED_IN or user.is_superuser or bool(user.role_set & roles)


def roles_for(url_name: str) -> frozenset[str]:
    """The roles the table admits to `url_name` (empty for the markers and unknown names)."""
    roles = SCREENS.get(url_name, frozenset())
    return roles & frozenset(Role.values)
