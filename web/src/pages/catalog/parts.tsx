import { Badge, Button, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { AccessType } from '../../api/catalog';

/** Previous / next with the page number in words; nothing when everything fits on one page. */
export function Pager({
  offset,
  limit,
  total,
  onChange,
  label,
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
  label?: string;
}) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  if (pages <= 1) return null;
  return (
    <nav aria-label={label ?? t('catalog.pager.label')}>
      <Group gap="sm" mt="sm" wrap="wrap">
        <Button
          variant="default"
          size="xs"
          disabled={page <= 1}
          onClick={() => onChange(Math.max(0, offset - limit))}
        >
          {t('catalog.pager.previous')}
        </Button>
        <Text size="sm" aria-live="polite">
          {t('catalog.pager.status', { page, pages })}
        </Text>
        <Button variant="default" size="xs" disabled={page >= pages} onClick={() => onChange(offset + limit)}>
          {t('catalog.pager.next')}
        </Button>
      </Group>
    </nav>
  );
}

const ACCESS_ICON: Record<AccessType, string> = { open: '○', account: '◐', restricted: '●' };
// Dark enough for 4.5:1 on white at badge size.
const ACCESS_COLOR: Record<AccessType, string> = {
  open: '#0b6e4f',
  account: '#1c4f8a',
  restricted: '#a61e1e',
};

/** The access type as a badge: a word and a symbol as well as a colour. */
export function AccessBadge({ access }: { access: AccessType }) {
  const { t } = useTranslation();
  return (
    <Badge
      variant="outline"
      color={ACCESS_COLOR[access]}
      style={{ color: ACCESS_COLOR[access], borderColor: ACCESS_COLOR[access] }}
      title={t(`catalog.accessHelp.${access}`)}
      leftSection={<span aria-hidden="true">{ACCESS_ICON[access]}</span>}
      data-access={access}
    >
      {t(`catalog.access.${access}`)}
    </Badge>
  );
}

/** The message of an error, for an alert. */
export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
