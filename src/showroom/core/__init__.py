"""The shared base under every app: periods and month arithmetic, workbook building blocks, change
history, number formatting, optimistic locking and the hooks through which a higher app
contributes to a lower one's screens. It imports no app of the project."""
