"""Shared by the tasks API test modules: an id too big for any table and a station's task types by key."""

HUGE = 99_999_999_999_999_999_999


def task_types_by_key(client, station):
    response = client.get(f"/api/v1/s/{station}/task-types")
    assert response.status_code == 200
    return {task_type["key"]: task_type for task_type in response.get_json()["task_types"]}
