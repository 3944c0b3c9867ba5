"""SQLAlchemy models, one module per area. Importing this package registers them all."""
from .base import Base
from .meta import AppMeta
from .org import Building, Community, Compound, Grid, Household, PartyOrg, Unit
from .people import BuildingLeader, CenterHousehold, Member, Resident, center_household_link

__all__ = [
    "AppMeta", "Base", "Building", "BuildingLeader", "CenterHousehold", "Community", "Compound", "Grid",
    "Household", "Member", "PartyOrg", "Resident", "Unit", "center_household_link",
]
