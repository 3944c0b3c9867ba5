"""initial schema

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('street_name', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community')),
    sa.UniqueConstraint('name', name=op.f('uq_community_name'))
    )
    op.create_table('compound',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('property_company', sa.String(length=100), nullable=True),
    sa.Column('owners_committee', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_compound_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compound')),
    sa.UniqueConstraint('community_id', 'name', name=op.f('uq_compound_community_id'))
    )
    op.create_table('grid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('worker_name', sa.String(length=50), nullable=True),
    sa.Column('worker_phone', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_grid_compound_id_compound'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid')),
    sa.UniqueConstraint('compound_id', 'name', name=op.f('uq_grid_compound_id'))
    )
    op.create_table('building',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('compound_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('floors', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_building_compound_id_compound'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_building_grid_id_grid'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_building')),
    sa.UniqueConstraint('compound_id', 'code', name=op.f('uq_building_compound_id'))
    )
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_grid_id'), ['grid_id'], unique=False)

    op.create_table('party_org',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('compound_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('secretary_name', sa.String(length=50), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_party_org_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_party_org_community_id_community'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_party_org_compound_id_compound'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['party_org.id'], name=op.f('fk_party_org_parent_id_party_org'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_org'))
    )
    with op.batch_alter_table('party_org', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_org_parent_id'), ['parent_id'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_unit_building_id_building'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('building_id', 'code', name=op.f('uq_unit_building_id'))
    )
    op.create_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('room', sa.String(length=20), nullable=False),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_household_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household')),
    sa.UniqueConstraint('unit_id', 'room', name=op.f('uq_household_unit_id'))
    )
    op.create_table('resident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_pinyin', sa.String(length=200), nullable=False),
    sa.Column('name_initials', sa.String(length=50), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('ethnicity', sa.String(length=20), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('education', sa.String(length=20), nullable=True),
    sa.Column('employer', sa.String(length=100), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_resident_household_id_household'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident')),
    sa.UniqueConstraint('id_number', name=op.f('uq_resident_id_number'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_name_pinyin'), ['name_pinyin'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_phone'), ['phone'], unique=False)

    op.create_table('building_leader',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('is_member', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_building_leader_building_id_building'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_building_leader_resident_id_resident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_building_leader_unit_id_unit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_building_leader'))
    )
    with op.batch_alter_table('building_leader', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_leader_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_leader_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_building_leader_resident_id'), ['resident_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('party_org_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('is_registered', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['party_org_id'], ['party_org.id'], name=op.f('fk_member_party_org_id_party_org'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_member_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('resident_id', name=op.f('uq_member_resident_id'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_party_org_id'), ['party_org_id'], unique=False)

    op.create_table('center_household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('appointed_on', sa.Date(), nullable=True),
    sa.Column('has_ability', sa.Boolean(), nullable=False),
    sa.Column('has_prestige', sa.Boolean(), nullable=False),
    sa.Column('has_public_spirit', sa.Boolean(), nullable=False),
    sa.Column('has_enthusiasm', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_center_household_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_center_household')),
    sa.UniqueConstraint('member_id', name=op.f('uq_center_household_member_id'))
    )
    with op.batch_alter_table('center_household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_center_household_deleted_at'), ['deleted_at'], unique=False)

    op.create_table('center_household_link',
    sa.Column('center_household_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['center_household_id'], ['center_household.id'], name=op.f('fk_center_household_link_center_household_id_center_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_center_household_link_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('center_household_id', 'household_id', name=op.f('pk_center_household_link'))
    )
    with op.batch_alter_table('center_household_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_center_household_link_household_id'), ['household_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('center_household_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_center_household_link_household_id'))

    op.drop_table('center_household_link')
    with op.batch_alter_table('center_household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_center_household_deleted_at'))

    op.drop_table('center_household')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_party_org_id'))
        batch_op.drop_index(batch_op.f('ix_member_deleted_at'))

    op.drop_table('member')
    with op.batch_alter_table('building_leader', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_leader_resident_id'))
        batch_op.drop_index(batch_op.f('ix_building_leader_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_building_leader_building_id'))

    op.drop_table('building_leader')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_phone'))
        batch_op.drop_index(batch_op.f('ix_resident_name_pinyin'))
        batch_op.drop_index(batch_op.f('ix_resident_name'))
        batch_op.drop_index(batch_op.f('ix_resident_household_id'))

    op.drop_table('resident')
    op.drop_table('household')
    op.drop_table('unit')
    with op.batch_alter_table('party_org', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_org_parent_id'))

    op.drop_table('party_org')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_grid_id'))

    op.drop_table('building')
    op.drop_table('grid')
    op.drop_table('compound')
    op.drop_table('community')
