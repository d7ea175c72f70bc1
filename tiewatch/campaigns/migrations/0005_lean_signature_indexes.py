"""Two fewer indexes for every signature insert (bench/petition_load.py):

- the single-column index on Signature.petition: the unique (petition, email) constraint leads with
  the same column and serves the same lookups;
- PostgreSQL: the `varchar_pattern_ops` twin that `unique=True` built for token_hash (it only serves
  `LIKE 'x%'`; tokens are looked up by equality). token_hash stays unique, by a named constraint.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0004_counted_signatures_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='signature',
            name='petition',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='signatures', to='campaigns.petition'),
        ),
        migrations.AlterField(
            model_name='signature',
            name='token_hash',
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.UniqueConstraint(fields=('token_hash',), name='signature_token_hash_unique'),
        ),
    ]
