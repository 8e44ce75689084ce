import { Button, Group } from '@mantine/core';

export interface ConfirmButtonProps {
  /** The first button's text ("Remove"). */
  label: string;
  /** The first button's accessible name, which says what it acts on ("Remove Jane Doe"). */
  ariaLabel: string;
  /** The confirming button's text ("Confirm the removal"). */
  confirmLabel: string;
  /** The button that steps back ("Keep"). */
  cancelLabel: string;
  /**
   * Whether the confirmation is showing. The caller keeps this state (usually the id of the one row that
   * asks), so that a single confirmation is open at a time and it can close once the action succeeded.
   */
  confirming: boolean;
  /** Called with true by the first button, with false by the cancel button. */
  onConfirmingChange: (confirming: boolean) => void;
  /** The action, run by the confirming button. */
  onConfirm: () => void;
  /** The confirming button shows a spinner while the action runs. */
  loading?: boolean;
  /** The two confirmation buttons in their own group (default), or bare when the caller's group holds them. */
  grouped?: boolean;
}

/** A destructive action in two steps: a red outline button, then "confirm" and "cancel" in its place. */
export function ConfirmButton({
  label,
  ariaLabel,
  confirmLabel,
  cancelLabel,
  confirming,
  onConfirmingChange,
  onConfirm,
  loading,
  grouped = true,
}: ConfirmButtonProps) {
  if (!confirming) {
    return (
      <Button
        size="xs"
        variant="outline"
        color="red.9"
        aria-label={ariaLabel}
        onClick={() => onConfirmingChange(true)}
      >
        {label}
      </Button>
    );
  }
  const buttons = (
    <>
      <Button size="xs" color="red.9" loading={loading} onClick={onConfirm}>
        {confirmLabel}
      </Button>
      <Button size="xs" variant="default" onClick={() => onConfirmingChange(false)}>
        {cancelLabel}
      </Button>
    </>
  );
  return grouped ? (
    <Group gap="xs" wrap="nowrap">
      {buttons}
    </Group>
  ) : (
    buttons
  );
}
