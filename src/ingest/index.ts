/**
 * The ingestion runtime: AIS feeds (TCP, UDP, file replay) → decoder → vessel tracker → coalescing batcher →
 * broker. See README.md in this folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Broker } from '../broker/index.js';
import { sourceRoot } from '../paths.js';
import type { AisMessage } from './ais/types.js';
import {
  type ClassBPolicy,
  createVesselTracker,
  type NgsiEntity,
  type VesselPosition,
  type VesselTracker,
} from './ais/vessels.js';
import type { BatcherStats, EntityBatcher, EntityWriter } from './batcher.js';
import { type FeedStatus, parseHostPort } from './feeds/feed.js';
import { createFeedManager, type FeedManager, type IngestLog, silentLog } from './feeds/manager.js';
import { createReplayFeed } from './feeds/replay.js';
import { createTcpFeed } from './feeds/tcp.js';
import { createUdpFeed } from './feeds/udp.js';

/** The AIS excerpt the demo replays: 3 minutes of real traffic in the Channel, Le Havre included. */
export function demoAisFile(): string {
  return join(sourceRoot(), 'ingest', 'ais', 'data', 'channel-2012-03-14.nmea.gz');
}

/** Writes batches into the local broker (upsert, attribute by attribute). */
export function brokerWriter(broker: Broker, tenant?: string): EntityWriter {
  return async (entities) => {
    await broker.upsert(entities, { tenant });
  };
}

export interface AisPipeline {
  /** Takes one decoded message (receivedAt in ms stamps messages without a tag-block time). */
  accept(m: AisMessage, receivedAt?: number): void;
  readonly tracker: VesselTracker;
  readonly batcher: EntityBatcher;
}

export interface AisPipelineOptions {
  batcher: EntityBatcher;
  classB?: ClassBPolicy;
  onPosition?: (p: VesselPosition) => void;
}

/** Decoded messages → latest state per MMSI → the batcher (which renders changed vessels at each flush). */
export function createAisPipeline(options: AisPipelineOptions): AisPipeline {
  const tracker = createVesselTracker({ classB: options.classB, onPosition: options.onPosition });
  const { batcher } = options;
  batcher.addSource(tracker);
  let sincePoke = 0;
  return {
    accept(m, receivedAt = Date.now()) {
      if (!tracker.accept(m, receivedAt)) return;
      // Checking the backlog on every message would be wasted work: every 64 is plenty.
      if (++sincePoke >= 64) {
        sincePoke = 0;
        batcher.poke();
      }
    },
    tracker,
    batcher,
  };
}

export interface ReplaySpec {
  file: string;
  speed: number;
}

/** `file[@speed]`: ESCALE_AIS_REPLAY. */
export function parseReplaySpec(spec: string): ReplaySpec {
  const at = spec.lastIndexOf('@');
  if (at > 0 && /^\d+(\.\d+)?$/.test(spec.slice(at + 1))) {
    return { file: spec.slice(0, at), speed: Number(spec.slice(at + 1)) };
  }
  return { file: spec, speed: 1 };
}

export interface IngestSettings {
  aisTcp: string[];
  aisUdp: string[];
  aisReplay?: string;
  aisClassB: ClassBPolicy;
  aisFlushMs: number;
  aisFlushMax: number;
  demo: boolean;
  demoAisSpeed: number;
}

export interface IngestStatus {
  feeds: FeedStatus[];
  vessels: { tracked: number; pending: number; classB: ClassBPolicy };
  writes: BatcherStats;
}

export interface IngestRuntime {
  readonly feeds: FeedManager;
  readonly pipeline: AisPipeline;
  start(log?: IngestLog): void;
  stop(): Promise<void>;
  status(): IngestStatus;
}

/**
 * Builds the feeds the settings ask for. In demo mode with no feed configured, the shipped excerpt is
 * replayed in a loop, stamped with the current time, so that vessels move on the map.
 */
export function createIngest(
  settings: IngestSettings,
  deps: { batcher: EntityBatcher; onPosition?: (p: VesselPosition) => void },
): IngestRuntime {
  const pipeline = createAisPipeline({
    batcher: deps.batcher,
    classB: settings.aisClassB,
    onPosition: deps.onPosition,
  });
  const feeds = createFeedManager();
  let log: IngestLog = silentLog;
  const onMessage = (m: AisMessage, receivedAt: number) => pipeline.accept(m, receivedAt);
  const onEvent = (event: string, detail: Record<string, unknown>) => {
    if (event === 'error' || event === 'disconnected') log.warn(detail, `ais feed ${event}`);
    else log.info(detail, `ais feed ${event}`);
  };
  for (const spec of settings.aisTcp) {
    const { host, port } = parseHostPort(spec);
    feeds.add(createTcpFeed({ host, port, onMessage, onEvent }));
  }
  for (const spec of settings.aisUdp) {
    const { host, port } = parseHostPort(spec, '0.0.0.0');
    feeds.add(createUdpFeed({ host, port, onMessage, onEvent }));
  }
  if (settings.aisReplay) {
    const { file, speed } = parseReplaySpec(settings.aisReplay);
    feeds.add(createReplayFeed({ file, speed, loop: true, onMessage, onEvent }));
  } else if (settings.demo && feeds.size === 0 && existsSync(demoAisFile())) {
    feeds.add(
      createReplayFeed({
        name: 'demo',
        file: demoAisFile(),
        speed: settings.demoAisSpeed,
        loop: true,
        rebase: true,
        onMessage,
        onEvent,
      }),
    );
  }
  return {
    feeds,
    pipeline,
    start(l = silentLog) {
      log = l;
      feeds.start(l);
    },
    async stop() {
      await feeds.stop();
    },
    status: () => ({
      feeds: feeds.list(),
      vessels: {
        tracked: pipeline.tracker.size(),
        pending: pipeline.tracker.pending(),
        classB: settings.aisClassB,
      },
      writes: deps.batcher.stats(),
    }),
  };
}

export type { NgsiEntity };
