"""Work groups (分层分级建立互动群传指令), one module per job:

- :mod:`.tree`: the city → district → station → team tree, teams and members,
  who reaches whom, and who may act on which group;
- :mod:`.instructions`: instructions down the tree, acknowledgements, reminders;
- :mod:`.mobilisation`: calling a group up (战时全线飘红) and the live tally;
- :mod:`.liaison`: an officer's volunteers (一人联络十名) and their meetings.
"""

from .errors import GroupError

__all__ = ["GroupError"]
