import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destinationToLocode, knownLocodes } from '../../src/ingest/ais/destination.js';

describe('AIS destination normaliser', () => {
  it('reads the ways crews write Le Havre as FRLEH', () => {
    for (const d of [
      'LE_HAVRE',
      ' LE HAVRE',
      'LEHAVRE',
      'LE HAVRE FRANCE',
      'FR LEH',
      'FRLEH',
      'le havre',
      'FR-LEH',
    ]) {
      assert.equal(destinationToLocode(d), 'FRLEH', d);
    }
  });

  it('keeps the last leg of a route and accepts spaced codes', () => {
    assert.equal(destinationToLocode('BE ZEE>NL RTM'), 'NLRTM');
    assert.equal(destinationToLocode('DEHAM>>>BEANR'), 'BEANR');
    assert.equal(destinationToLocode('CN NANSHA>DE HAMBURG'), 'DEHAM');
    assert.equal(destinationToLocode('FRLEH TPO'), 'FRLEH');
    assert.equal(destinationToLocode('JP YOK XX NGI'), 'JPYOK');
  });

  it('tolerates typos seen in real traffic (one edit, two for long names)', () => {
    // All from the 2012 sample in shared/data/ais.
    assert.equal(destinationToLocode('HONFLUER'), 'FRHON');
    assert.equal(destinationToLocode('AMTWERP'), 'BEANR');
    assert.equal(destinationToLocode('ANTWEPEN'), 'BEANR');
    assert.equal(destinationToLocode('ROTERDAM'), 'NLRTM');
    assert.equal(destinationToLocode('ROTTEDAM NL'), 'NLRTM');
    assert.equal(destinationToLocode('GOTHENBORG'), 'SEGOT');
  });

  it('drops noise words around a name', () => {
    assert.equal(destinationToLocode('ROUEN PILOT'), 'FRURO');
    assert.equal(destinationToLocode('ANTWERP KADE'), 'BEANR');
    assert.equal(destinationToLocode('SOUTHAMPTON P/S'), 'GBSOU');
    assert.equal(destinationToLocode('BREMERHAVEN VIA NOK'), 'DEBRV');
  });

  it('reads inland ERI location codes', () => {
    assert.equal(destinationToLocode('NLRTM00116LOCKB00410'), 'NLRTM');
  });

  it('says nothing rather than guess', () => {
    for (const d of [
      '',
      undefined,
      'FISHING',
      'TO ORDER',
      'N/A',
      '0',
      'A>B',
      'ELBE PILOT',
      'HARBOUR DUTIES',
      'CAEM',
    ]) {
      assert.equal(destinationToLocode(d), undefined, String(d));
    }
    // A five-letter name is not read as a code: DOVER is Dover, not a place in the Dominican Republic.
    assert.equal(destinationToLocode('DOVER'), 'GBDVR');
  });

  it('has well-formed codes in its table', () => {
    for (const c of knownLocodes()) assert.match(c, /^[A-Z]{2}[A-Z2-9]{3}$/);
  });
});
