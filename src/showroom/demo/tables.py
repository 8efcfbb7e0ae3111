"""The distributions the synthetic stores draw from: traffic, follow-ups, deals, after-sales.

Weights are relative; chances are per event. They were set so that a store's monthly KPIs land
where dealer training material puts a typical store, with room for stores and
consultants to differ.
"""

from __future__ import annotations

from datetime import time as dtime

# Where walk-in parties say they heard of the store (standard source codes), and callers.
WALKIN_SOURCES = {
    "walk_by": 22,
    "internet": 22,
    "friend": 15,
    "owner_referral": 12,
    "oem": 6,
    "outdoor": 5,
    "media": 4,
    "exhibition": 4,
    "invitation": 3,
    "fleet": 2,
    "other": 5,
}
CALL_SOURCES = {
    "internet": 36,
    "oem": 20,
    "media": 10,
    "outdoor": 9,
    "friend": 8,
    "owner_referral": 6,
    "exhibition": 4,
    "fleet": 2,
    "other": 5,
}
# Monday … Sunday: weekends bring about twice a weekday's traffic.
WEEKDAY_FACTOR = (0.8, 0.75, 0.8, 0.85, 0.95, 1.55, 1.45)
# The Chinese car year: Spring Festival lull, busy "golden September, silver October" and December.
MONTH_FACTOR = {
    1: 1.05,
    2: 0.7,
    3: 1.0,
    4: 0.95,
    5: 1.0,
    6: 1.05,
    7: 0.9,
    8: 0.95,
    9: 1.1,
    10: 1.1,
    11: 1.05,
    12: 1.15,
}
# Arrival hour weights: late morning and afternoon peaks, little before 9:00 or after 18:00.
WALKIN_HOURS = {
    8: 0.4,
    9: 3,
    10: 8,
    11: 9.5,
    12: 4,
    13: 5,
    14: 8,
    15: 9.5,
    16: 8,
    17: 5,
    18: 2,
    19: 1,
    20: 0.4,
}
CALL_HOURS = {
    8: 1,
    9: 6,
    10: 9,
    11: 9,
    12: 5,
    13: 6,
    14: 9,
    15: 9,
    16: 8,
    17: 6,
    18: 3,
    19: 2,
    20: 1,
}
OPENS, CLOSES = dtime(8, 0), dtime(21, 0)
LAST_ARRIVAL_MINUTE = 30  # nobody walks in after 20:30

FIRST_GRADES = {"H": 10, "A": 20, "B": 35, "C": 35}
CALL_GRADES = {"A": 15, "B": 35, "C": 50}
# Stay in minutes by grade: (low, high, mode) of a triangular distribution.
STAY = {
    "O": (50, 150, 80),
    "H": (30, 120, 60),
    "A": (25, 90, 45),
    "B": (15, 70, 30),
    "C": (8, 45, 18),
    "": (3, 30, 10),
}
TEST_DRIVE_FACTOR = {"O": 1.2, "H": 1.6, "A": 1.3, "B": 0.9, "C": 0.45, "": 0.15}
QUOTE_FACTOR = {"O": 1.5, "H": 1.6, "A": 1.3, "B": 0.9, "C": 0.4, "": 0.2}
# Chance that a prospect comes back, and after how many days, by grade.
RETURN_CHANCE = {"H": 0.65, "A": 0.5, "B": 0.3, "C": 0.12, "O": 0.0}
RETURN_DAYS = {"H": (1, 7), "A": (3, 20), "B": (7, 40), "C": (14, 60), "O": (3, 10)}
UPGRADE = {"C": "B", "B": "A", "A": "H", "H": "O", "O": "O"}
DOWNGRADE = {"H": "A", "A": "B", "B": "C", "C": "C", "O": "O"}
PARTY_SIZES = {1: 42, 2: 36, 3: 15, 4: 5, 5: 2}


GRADE_RANK = {"": 0, "C": 1, "B": 2, "A": 3, "H": 4, "O": 5}

# -- consultants' skills: (low, high) of a uniform draw per consultant --------------------------
CLOSE_SKILL = (0.6, 1.5)  # multiplies the chances that a prospect moves up or signs
LATE_SKILL = (0.04, 0.45)  # share of follow-ups made after their date
LOSE_SKILL = (0.6, 1.6)  # multiplies the chances that a prospect is lost or drops out

# -- signing on a visit: chance by grade, for an ordinary return visit and for one the
# consultant invited the prospect to, to sign ------------------------------------------------
SIGN_ON_VISIT = {
    "visit": {"H": 0.4, "A": 0.08},
    "invited": {"H": 0.45, "A": 0.12},
    "sign": {"H": 0.75, "A": 0.3},
    "first": {"H": 0.12, "A": 0.02},
}

# -- follow-ups -----------------------------------------------------------------------------
FOLLOW_UP_KINDS = {"call": 58, "message": 37, "home_visit": 5}
REACHED = {"call": 0.78, "message": 0.85, "home_visit": 1.0}
# A reached prospect, by grade: chances to move up, down, be invited to the store, be lost to a
# competitor, drop out (失控), or sign without a showroom visit; otherwise the grade holds.
FOLLOW_UP = {
    "C": {"up": 0.11, "down": 0.0, "invite": 0.03, "lost": 0.07, "out": 0.14, "order": 0.0},
    "B": {"up": 0.17, "down": 0.07, "invite": 0.07, "lost": 0.07, "out": 0.06, "order": 0.0},
    "A": {"up": 0.21, "down": 0.09, "invite": 0.16, "lost": 0.07, "out": 0.02, "order": 0.02},
    "H": {"up": 0.0, "down": 0.14, "invite": 0.42, "lost": 0.06, "out": 0.01, "order": 0.04},
}
STALL_LOSS = 0.07  # added to the chances to be lost and to drop out per contact without progress
MISSES_BEFORE_OUT = (2, 4)  # unanswered follow-ups in a row before the consultant gives up
INVITED_SHOWS = 0.75  # share of invitations that bring the prospect in
EARLIER_FOLLOW_UP = 0.2  # share of contacts where the consultant plans the next one earlier
FORGOTTEN = 0.22  # of late follow-ups, the share forgotten for weeks rather than days

# -- the manager's decision on a loss request ---------------------------------------------------
DECISION_DAYS = (0, 4)
RETURNED = {"H": 0.3, "A": 0.2, "B": 0.08, "C": 0.04, "O": 0.0}  # sent back for more follow-up
LOST_REASONS = {
    "price": 30,
    "product": 14,
    "brand": 10,
    "service": 4,
    "finance": 5,
    "delivery_time": 9,
    "trade_in": 7,
    "location": 8,
    "other": 13,
}
OUT_REASONS = {"other": 55, "finance": 20, "price": 10, "delivery_time": 5, "location": 10}
SAME_BRAND_ELSEWHERE = 0.15  # lost to another dealer of the same brand
# Confirmed losses the CRM's activation calls hand back to sales (激活), and the days after
# the confirmation that call comes.
REACTIVATED = {"lost": 0.06, "out_of_control": 0.1}
REACTIVATION_DAYS = (20, 90)

# -- orders and deliveries ------------------------------------------------------------------
DEPOSITS = {2000: 15, 5000: 40, 10000: 30, 20000: 15}
# Days from order to delivery: (low, high) ranges with their weights.
DELIVERY_DAYS = {(1, 7): 55, (8, 21): 35, (22, 45): 10}
CANCELLED = 0.03
# Of the customers who cancel (退订), those who keep looking rather than buy elsewhere.
STILL_SHOPPING = 0.4
CEREMONY = 0.85
INSURANCE = (0.83, 0.87)  # store-level penetration, (low, high)
FINANCE = (0.36, 0.44)
ACCESSORIES = (0.57, 0.63)
EXTENDED_WARRANTY = (0.18, 0.22)
TRADE_IN = {"replacement": 0.42, "additional": 0.05, "first": 0.0, "": 0.02}
PURCHASE_TYPES = {"first": 55, "replacement": 32, "additional": 13}
# After delivery: (on time, late) shares; the rest is missed.
CALL_3DAY = (0.86, 0.07)
LETTER_7DAY = (0.8, 0.1)

# -- owners ---------------------------------------------------------------------------------
NEVER_BACK = 0.1  # owners who never come back to the workshop
CHURN_PER_VISIT = 0.14  # chance to stop coming after each maintenance
FIRST_SERVICE_DAYS = (75, 120)
SERVICE_DAYS = (150, 220)
# Chance per service interval of a visit in between, and (low, high) amounts in yuan.
EXTRA_VISITS = {"repair": 0.06, "accident": 0.05, "warranty": 0.03}
AMOUNTS = {
    "maintenance": (350, 1500),
    "repair": (500, 8000),
    "accident": (2000, 30000),
    "warranty": (0, 0),
}
SERVICE_REMINDER = 0.5  # maintenance reminders by message
VIP = 0.03
OWNERS_MET_IN_SERVICE = 0.12  # per day and busy-ness: owners without a sale here
OTHER_BRAND_OWNER = 0.3  # of those, other-brand owners

# -- leads ----------------------------------------------------------------------------------
LEADS_PER_DAY = 4.0
LEAD_CHANNELS = {"internet": 55, "oem": 33, "media": 4, "exhibition": 4, "other": 4}
LEAD_HOURS = {
    h: w
    for h, w in enumerate(
        [1, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 6, 6, 7, 8, 7, 5, 3]
    )
}
LEAD_NEVER_CONTACTED = 0.08
LEAD_TO_DCC = 0.75  # the rest go straight to a consultant
LEAD_APPOINTMENT = 0.42  # of contacted leads
LEAD_SHOWS = 0.6  # of appointments, within 3 days of the date
DAILY_REVIEW = 0.55  # working days on which the manager reviews some daily reports
