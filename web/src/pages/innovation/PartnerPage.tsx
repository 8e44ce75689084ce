import { Anchor, Badge, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { getPartner } from '../../api/innovation';
import { useData } from '../../api/useData';
import { PageTitle } from '../../components/PageTitle';
import { IP, NotLoaded, useLabels } from './common';

/** One partner: sector, size, roles, city, website, contact, projects (and the Observatory's). */
export default function PartnerPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const { id = '' } = useParams();
  const load = useCallback((signal: AbortSignal) => getPartner(id, signal), [id]);
  const { state, reload } = useData(load);
  const p = state.data;
  if (!p)
    return (
      <NotLoaded
        error={state.error}
        onRetry={reload}
        title={t('innovation.partners.title')}
        back={IP.partners}
        backLabel={t('innovation.partners.back')}
      />
    );
  const none = t('innovation.partners.none');
  const contact = [p.contact.name, p.contact.email, p.contact.phone].filter(Boolean);
  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={IP.partners} size="sm">
          {t('innovation.partners.back')}
        </Anchor>
        <PageTitle>{p.name}</PageTitle>
        <Group gap={6} mb="sm">
          {p.roles.map((r) => (
            <Badge key={r} variant="outline" color="dark">
              {t(`innovation.roles.${r}`)}
            </Badge>
          ))}
        </Group>
        <Text size="lg" maw={820}>
          {p.description}
        </Text>
      </div>
      <Paper withBorder p="md">
        <dl className="inv-facts">
          <div>
            <dt>{t('innovation.partners.sector')}</dt>
            <dd>{labels.sector(p.sector)}</dd>
          </div>
          <div>
            <dt>{t('innovation.partners.size')}</dt>
            <dd>{p.size ? t(`innovation.sizes.${p.size}`) : none}</dd>
          </div>
          <div>
            <dt>{t('innovation.partners.city')}</dt>
            <dd>{p.city ?? none}</dd>
          </div>
          <div>
            <dt>{t('innovation.partners.website')}</dt>
            <dd>
              {p.website ? (
                <Anchor href={p.website} rel="noopener noreferrer">
                  {p.website.replace(/^https?:\/\//, '')}
                </Anchor>
              ) : (
                none
              )}
            </dd>
          </div>
          <div>
            <dt>{t('innovation.partners.contact')}</dt>
            <dd>
              {contact.length === 0
                ? none
                : [
                    p.contact.name && <div key="n">{p.contact.name}</div>,
                    p.contact.email && (
                      <div key="e">
                        <Anchor href={`mailto:${p.contact.email}`}>{p.contact.email}</Anchor>
                      </div>
                    ),
                    p.contact.phone && <div key="p">{p.contact.phone}</div>,
                  ]}
            </dd>
          </div>
        </dl>
      </Paper>
      {p.projects.length > 0 && (
        <section aria-labelledby="inv-p-projects">
          <Title order={2} id="inv-p-projects" mb="sm">
            {t('innovation.partners.projects')}
          </Title>
          <List>
            {p.projects.map((x) => (
              <List.Item key={x}>{x}</List.Item>
            ))}
          </List>
        </section>
      )}
      {p.observatoryProjects && p.observatoryProjects.length > 0 && (
        <section aria-labelledby="inv-p-obs">
          <Title order={2} id="inv-p-obs" mb="sm">
            {t('innovation.partners.observatory')}
          </Title>
          <List>
            {p.observatoryProjects.map((x) => (
              <List.Item key={x.code}>
                {x.name} ({x.code})
              </List.Item>
            ))}
          </List>
        </section>
      )}
    </Stack>
  );
}
