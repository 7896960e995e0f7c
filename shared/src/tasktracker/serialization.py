"""JSON representations of the spec (section 1 and 4): plain dicts, ready for any JSON encoder."""

from __future__ import annotations

from typing import Any

from tasktracker.domain import Priority, Status, Task, TaskPage, TaskStats
from tasktracker.timestamps import format_timestamp


def task_to_dict(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "status": task.status.value,
        "priority": task.priority.value,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "tags": list(task.tags),
        "created_at": format_timestamp(task.created_at),
        "updated_at": format_timestamp(task.updated_at),
        "completed_at": format_timestamp(task.completed_at) if task.completed_at else None,
        "version": task.version,
    }


def page_to_dict(page: TaskPage) -> dict[str, Any]:
    return {
        "items": [task_to_dict(task) for task in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def stats_to_dict(stats: TaskStats) -> dict[str, Any]:
    return {
        "total": stats.total,
        "by_status": {status.value: stats.by_status.get(status, 0) for status in Status},
        "by_priority": {priority.value: stats.by_priority.get(priority, 0) for priority in Priority},
        "overdue": stats.overdue,
    }
