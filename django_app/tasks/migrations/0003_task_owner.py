"""Tasks belong to users (spec 7.4), step 1 of 3: the owner column, nullable while 0004 fills it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# region: auth
class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0002_task_list_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]


# endregion
