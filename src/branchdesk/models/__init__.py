"""SQLAlchemy models, one module per area. Importing this package registers them all."""
from .base import Base
from .issues import Issue, IssueEvent
from .lists import ChoiceItem, Demand, Partner, Resource, Responsibility, ServiceLog, resource_category
from .meetings import AgendaItem, Attendee, Decision, Meeting
from .meta import AppMeta
from .org import Building, Community, Compound, Grid, Household, PartyOrg, Unit
from .people import BuildingLeader, CenterHousehold, Member, Resident, center_household_link

__all__ = [
    "AgendaItem", "AppMeta", "Attendee", "Decision", "Meeting", "Base", "Building", "ChoiceItem", "Demand", "Issue", "IssueEvent", "Partner", "Resource",
    "Responsibility", "ServiceLog", "resource_category", "BuildingLeader", "CenterHousehold", "Community", "Compound", "Grid",
    "Household", "Member", "PartyOrg", "Resident", "Unit", "center_household_link",
]
