# The grade history of the card, on the table sales created for it: state only, no data moves.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_customer_budget_customer_colour_and_more"),
        ("organization", "0001_initial"),
        ("sales", "0003_gradechange_to_customers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="GradeChange",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(verbose_name="date")),
                        ("old_grade", models.CharField(blank=True, choices=[("O", "O (order)"), ("H", "H"), ("A", "A"), ("B", "B"), ("C", "C")], max_length=1, verbose_name="from")),
                        ("new_grade", models.CharField(blank=True, choices=[("O", "O (order)"), ("H", "H"), ("A", "A"), ("B", "B"), ("C", "C")], max_length=1, verbose_name="to")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("changed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                        ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="grade_changes", to="customers.customer", verbose_name="customer")),
                        ("store", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="organization.store", verbose_name="store")),
                    ],
                    options={
                        "verbose_name": "grade change",
                        "verbose_name_plural": "grade changes",
                        "ordering": ["date", "id"],
                        "db_table": "sales_gradechange",
                        "indexes": [models.Index(fields=["store", "date"], name="sales_grade_store_i_e7e607_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
