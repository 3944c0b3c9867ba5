"""lists and issues: demands, resources, responsibilities, partners, the editable
choice lists, and residents' issues with their timeline

Revision ID: 0003
Revises: 0002

The choice lists start with the categories and sources branches use; the
secretary edits them afterwards (they are data from here on, so they are
written out here rather than imported from the app).
"""
import sqlalchemy as sa
from alembic import op

DEFAULT_CHOICES = {
    "demand_category": ["亲子娱乐", "文体赛事", "生活服务", "健康保健", "助老助残", "便民维修", "法律咨询", "就业帮扶"],
    "issue_category": ["环境卫生", "设施维修", "停车管理", "物业服务", "邻里纠纷", "安全隐患", "绿化养护", "噪音扰民",
                       "文体活动", "其他"],
    "issue_source": ["居民来访", "入户走访", "议事会", "12345热线", "书记接待日", "网格员上报", "楼栋长反映", "其他"],
}


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('choice_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_choice_item')),
    sa.UniqueConstraint('kind', 'label', name=op.f('uq_choice_item_kind'))
    )
    with op.batch_alter_table('choice_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_choice_item_kind'), ['kind'], unique=False)

    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('offers', sa.Text(), nullable=True),
    sa.Column('response_level', sa.String(length=20), nullable=False),
    sa.Column('agreement_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('name', name=op.f('uq_partner_name'))
    )
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_deleted_at'), ['deleted_at'], unique=False)

    op.create_table('responsibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_unit', sa.String(length=100), nullable=True),
    sa.Column('owner_name', sa.String(length=50), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility'))
    )
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsibility_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsibility_deleted_at'), ['deleted_at'], unique=False)

    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=100), nullable=True),
    sa.Column('reporter_name', sa.String(length=50), nullable=True),
    sa.Column('reporter_phone', sa.String(length=20), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('step_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=True),
    sa.Column('committed', sa.Boolean(), nullable=False),
    sa.Column('promised_on', sa.Date(), nullable=True),
    sa.Column('accept_due_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('solved_at', sa.DateTime(), nullable=True),
    sa.Column('verdict', sa.String(length=20), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_issue_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_issue_household_id_household'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue')),
    sa.UniqueConstraint('number', name=op.f('uq_issue_number'))
    )
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_solved_at'), ['solved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_issue_step'), ['step'], unique=False)

    op.create_table('issue_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=50), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('verdict', sa.String(length=20), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issue_id'], ['issue.id'], name=op.f('fk_issue_event_issue_id_issue'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_event'))
    )
    with op.batch_alter_table('issue_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issue_event_issue_id'), ['issue_id'], unique=False)

    op.create_table('resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider_kind', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('provider_name', sa.String(length=100), nullable=True),
    sa.Column('compound_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.String(length=100), nullable=True),
    sa.Column('period', sa.String(length=100), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_resource_compound_id_compound'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_resource_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_resource_partner_id_partner'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource'))
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_partner_id'), ['partner_id'], unique=False)

    op.create_table('demand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('raised_by', sa.String(length=100), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=True),
    sa.Column('claimed_by_kind', sa.String(length=20), nullable=True),
    sa.Column('claimed_partner_id', sa.Integer(), nullable=True),
    sa.Column('claimed_member_id', sa.Integer(), nullable=True),
    sa.Column('claimed_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_demand_building_id_building'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['claimed_member_id'], ['member.id'], name=op.f('fk_demand_claimed_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['claimed_partner_id'], ['partner.id'], name=op.f('fk_demand_claimed_partner_id_partner'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_demand_household_id_household'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_demand_resource_id_resource'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand'))
    )
    with op.batch_alter_table('demand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demand_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_demand_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_demand_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_demand_status'), ['status'], unique=False)

    op.create_table('resource_category',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_category_resource_id_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'category', name=op.f('pk_resource_category'))
    )
    with op.batch_alter_table('resource_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_category_category'), ['category'], unique=False)

    op.create_table('service_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('demand_id', sa.Integer(), nullable=True),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('hours', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['demand.id'], name=op.f('fk_service_log_demand_id_demand'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_service_log_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_service_log_partner_id_partner'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_log'))
    )
    with op.batch_alter_table('service_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_log_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_log_partner_id'), ['partner_id'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_on', sa.Date(), nullable=True))

    choice = sa.table('choice_item', sa.column('kind', sa.String), sa.column('label', sa.String),
                      sa.column('sort_key', sa.Integer), sa.column('active', sa.Boolean))
    op.bulk_insert(choice, [{'kind': kind, 'label': label, 'sort_key': n, 'active': True}
                            for kind, labels in DEFAULT_CHOICES.items() for n, label in enumerate(labels, 1)])



def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('registered_on')

    with op.batch_alter_table('service_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_log_partner_id'))
        batch_op.drop_index(batch_op.f('ix_service_log_member_id'))

    op.drop_table('service_log')
    with op.batch_alter_table('resource_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_category_category'))

    op.drop_table('resource_category')
    with op.batch_alter_table('demand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demand_status'))
        batch_op.drop_index(batch_op.f('ix_demand_resource_id'))
        batch_op.drop_index(batch_op.f('ix_demand_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_demand_category'))
        batch_op.drop_index(batch_op.f('ix_demand_building_id'))

    op.drop_table('demand')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_partner_id'))
        batch_op.drop_index(batch_op.f('ix_resource_member_id'))
        batch_op.drop_index(batch_op.f('ix_resource_deleted_at'))

    op.drop_table('resource')
    with op.batch_alter_table('issue_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_event_issue_id'))

    op.drop_table('issue_event')
    with op.batch_alter_table('issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issue_step'))
        batch_op.drop_index(batch_op.f('ix_issue_solved_at'))
        batch_op.drop_index(batch_op.f('ix_issue_raised_at'))
        batch_op.drop_index(batch_op.f('ix_issue_due_on'))
        batch_op.drop_index(batch_op.f('ix_issue_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_issue_category'))
        batch_op.drop_index(batch_op.f('ix_issue_building_id'))

    op.drop_table('issue')
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsibility_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_responsibility_deadline'))

    op.drop_table('responsibility')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_deleted_at'))

    op.drop_table('partner')
    with op.batch_alter_table('choice_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_choice_item_kind'))

    op.drop_table('choice_item')
