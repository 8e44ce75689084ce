import { Table, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EntityFeature } from '../api/ngsi';
import { featureInfo, featureName, typeLabel } from './features';

/**
 * The map's non-visual alternative: the same features as a table. A row's name is a button that opens the
 * details (keyboard and screen readers); a click anywhere on the row does the same.
 */
export function FeatureTable({
  features,
  selectedId,
  onSelect,
}: {
  features: EntityFeature[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Table
      striped
      highlightOnHover
      verticalSpacing={6}
      fz="sm"
      captionSide="top"
      className="features-table"
      data-testid="features-table"
    >
      <Table.Caption>{t('map.caption', { count: features.length })}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{t('map.columns.name')}</Table.Th>
          <Table.Th scope="col">{t('map.columns.type')}</Table.Th>
          <Table.Th scope="col">{t('map.columns.info')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {features.map((f) => {
          const name = featureName(f);
          const selected = f.id === selectedId;
          return (
            <Table.Tr
              key={f.id}
              data-id={f.id}
              data-type={f.type}
              className={selected ? 'row row--selected' : 'row'}
              onClick={() => onSelect(f.id)}
            >
              <Table.Th scope="row" fw={500}>
                <UnstyledButton
                  className="row-button"
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(f.id);
                  }}
                  aria-label={t('map.show', { name })}
                  aria-current={selected ? 'true' : undefined}
                >
                  {name}
                </UnstyledButton>
              </Table.Th>
              <Table.Td>{typeLabel(t, f.type)}</Table.Td>
              <Table.Td>{featureInfo(t, f)}</Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
