# The audit of exports of personal data belongs to the organization; its table keeps its
# name, so only the state moves.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organization', '0001_initial'),
        ('exchange', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ExportRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor', models.CharField(max_length=150, verbose_name='exported by')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='exported at')),
                        ('kind', models.CharField(max_length=32, verbose_name='form')),
                        ('format', models.CharField(max_length=8, verbose_name='format')),
                        ('date_from', models.DateField(verbose_name='from')),
                        ('date_to', models.DateField(verbose_name='to')),
                        ('rows', models.PositiveIntegerField(verbose_name='rows')),
                        ('destination', models.CharField(blank=True, max_length=500, verbose_name='file')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organization.store', verbose_name='store')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'export record',
                        'verbose_name_plural': 'export records',
                        'db_table': 'exchange_exportrecord',
                        'ordering': ['-created_at', 'id'],
                        'indexes': [models.Index(fields=['store', 'created_at'], name='exchange_ex_store_i_da9d22_idx')],
                    },
                ),
            ],
        ),
    ]
