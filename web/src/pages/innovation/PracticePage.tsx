import { Anchor, Badge, Group, List, Stack, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { getPractice } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { IP, NotLoaded } from './common';
import { summaryOf } from './PracticesPage';

/** One entry of the knowledge base: summary, place and year, keywords, links. */
export default function PracticePage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const load = useCallback((signal: AbortSignal) => getPractice(id, signal), [id]);
  const { state, reload } = useData(load);
  const p = state.data;
  if (!p)
    return (
      <NotLoaded
        error={state.error}
        onRetry={reload}
        title={t('innovation.practices.title')}
        back={IP.practices}
        backLabel={t('innovation.practices.back')}
      />
    );
  const where = [p.city, p.country, p.year].filter(Boolean).join(', ');
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={IP.practices} size="sm">
          {t('innovation.practices.back')}
        </Anchor>
        <PageTitle>{p.title}</PageTitle>
        <Group gap="xs" mb="sm">
          <Badge variant="outline" color="dark">
            {t(`innovation.practices.kinds.${p.kind}`)}
          </Badge>
          {where && <Text>{where}</Text>}
        </Group>
        <Text size="lg" maw={820} style={{ whiteSpace: 'pre-wrap' }}>
          {summaryOf(p, i18n.resolvedLanguage)}
        </Text>
      </div>
      {p.tags.length > 0 && (
        <section aria-labelledby="inv-k-tags">
          <Title order={2} size="h3" id="inv-k-tags" mb="xs">
            {t('innovation.practices.tags')}
          </Title>
          <Group gap={6} component="ul" className="inv-list">
            {p.tags.map((x) => (
              <Badge component="li" key={x} variant="outline" color="dark">
                {x}
              </Badge>
            ))}
          </Group>
        </section>
      )}
      {p.links.length > 0 && (
        <section aria-labelledby="inv-k-links">
          <Title order={2} size="h3" id="inv-k-links" mb="xs">
            {t('innovation.practices.links')}
          </Title>
          <List>
            {p.links.map((l) => (
              <List.Item key={l.url}>
                <Anchor href={l.url} rel="noopener noreferrer">
                  {l.title}
                </Anchor>
              </List.Item>
            ))}
          </List>
        </section>
      )}
    </Stack>
  );
}
