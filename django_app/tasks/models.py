"""The database's shape of a task, as Django models. The domain's Task never sees them: the
repository maps between the two with ``to_domain()`` and ``tasktracker.repository.stored_fields()``."""

from django.conf import settings
from django.db import models

from tasktracker import domain


# region: persistence
def _choices(enum_type):
    return [(member.value, member.value) for member in enum_type]


class Task(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Case-folded copies of title and description: search compares these with a case-folded
    # query, so it finds "Été" for "ÉTÉ" on SQLite too (its LIKE folds ASCII letters only).
    title_key = models.TextField()
    description_key = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=_choices(domain.Status), db_index=True)
    priority = models.CharField(max_length=16, choices=_choices(domain.Priority))
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # The ETag: a write names the version it read, and writes nothing if another came first.
    version = models.PositiveIntegerField(default=1)
    # The user who created it (spec 7.4). No index of its own: the list indexes start with it.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks", db_index=False)

    class Meta:
        # One owner's page in either order of these keys, the default -created_at included, is
        # read from an index instead of sorting the owner's rows (migration 0005 replaced 0002's
        # indexes without the owner). PostgreSQL also gets trigram indexes for q's substring
        # search (migration 0002; SQLite has no such index).
        indexes = [
            models.Index(fields=["owner", "created_at", "id"], name="tasks_owner_created_at_id"),
            models.Index(fields=["owner", "updated_at", "id"], name="tasks_owner_updated_at_id"),
        ]

    def __str__(self):
        return self.title

    def to_domain(self) -> domain.Task:
        return domain.Task(
            id=self.id,
            title=self.title,
            description=self.description,
            status=domain.Status(self.status),
            priority=domain.Priority(self.priority),
            due_date=self.due_date,
            tags=tuple(sorted(tag.name for tag in self.tags.all())),
            created_at=self.created_at,
            updated_at=self.updated_at,
            completed_at=self.completed_at,
            version=self.version,
        )


class Tag(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=32, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "name"], name="unique_tag_per_task")]

    def __str__(self):
        return self.name


# endregion
