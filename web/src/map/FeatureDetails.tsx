import { Badge, CloseButton, Code, DataList, Group, Paper, Text, Title } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { EntityFeature } from '../api/ngsi';
import { fr } from '../i18n/fr';
import { featureName, typeLabel, valueLabel } from './features';

type AttrKey = keyof typeof fr.attrs;
const KNOWN = new Set(Object.keys(fr.attrs));
const HIDDEN = new Set(['type', 'location', 'name']);

function Value({ name, value }: { name: string; value: unknown }) {
  const { t } = useTranslation();
  if (value === null || value === undefined) return <>—</>;
  const words = valueLabel(t, name, value);
  if (words !== undefined) return <>{words}</>;
  if (typeof value === 'boolean') return <>{String(value)}</>;
  return (
    <Code block className="attr-json">
      {JSON.stringify(value, null, 2)}
    </Code>
  );
}

/**
 * The selected feature's details: a labelled region (not a modal dialog, the map stays usable) that takes
 * the focus when it opens and gives it back when it closes.
 */
export function FeatureDetails({
  feature,
  nameOf,
  onClose,
}: {
  feature: EntityFeature;
  /** The name of another feature of the map, for relationships (refTerminal...). */
  nameOf: (id: string) => string | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  const name = featureName(feature);

  useEffect(() => {
    const back = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    heading.current?.focus();
    return () => {
      if (back?.isConnected && !back.closest('.port-map')) back.focus();
    };
  }, []);

  const attrs = Object.entries(feature.properties).filter(([k]) => !HIDDEN.has(k));
  const label = (k: string) => (KNOWN.has(k) ? t(`attrs.${k as AttrKey}`) : k);

  return (
    <Paper
      component="section"
      withBorder
      p="md"
      aria-labelledby="details-title"
      className="details"
      data-testid="details"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="xs">
        <div>
          <Text size="sm" c="dimmed">
            {t('map.details')}
          </Text>
          <Title order={2} size="h3" id="details-title" ref={heading} tabIndex={-1}>
            {name}
          </Title>
        </div>
        <CloseButton aria-label={t('map.closeDetails')} title={t('map.closeDetails')} onClick={onClose} />
      </Group>
      <Badge variant="outline" mb="sm">
        {typeLabel(t, feature.type)}
      </Badge>
      <DataList size="sm" labelWidth="9rem" withDivider>
        <DataList.Item>
          <DataList.ItemLabel>{label('id')}</DataList.ItemLabel>
          <DataList.ItemValue className="attr-id">{feature.id}</DataList.ItemValue>
        </DataList.Item>
        {attrs.map(([k, v]) => (
          <DataList.Item key={k}>
            <DataList.ItemLabel>{label(k)}</DataList.ItemLabel>
            <DataList.ItemValue>
              {typeof v === 'string' && nameOf(v) ? (
                <>
                  {nameOf(v)}
                  <Text size="xs" c="dimmed" className="attr-id">
                    {v}
                  </Text>
                </>
              ) : (
                <Value name={k} value={v} />
              )}
            </DataList.ItemValue>
          </DataList.Item>
        ))}
      </DataList>
      {attrs.length === 0 && (
        <Text size="sm" mt="xs">
          {t('map.noAttributes')}
        </Text>
      )}
    </Paper>
  );
}
