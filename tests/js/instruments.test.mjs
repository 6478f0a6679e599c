// Which sample set a part plays with, from its instrument or name.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { soundFor } from '../../static/js/playback/instruments.js';

test('parts sound as their instruments; voices, keyboards and the unknown as the piano', () => {
  const cases = {
    Violin: 'violin', 'Violin II': 'violin', Viola: 'violin', Violoncello: 'cello',
    'Double Bass': 'contrabass', Flute: 'flute', Piccolo: 'flute', 'Clarinet in B♭': 'clarinet',
    Oboe: 'clarinet', 'Alto Saxophone': 'saxophone', 'Trumpet in B♭': 'trumpet', Trombone: 'trombone',
    'Horn in F': 'trombone', 'Electric Bass': 'bass-electric', 'Bass Guitar': 'bass-electric', Bass: 'piano', 'Tenor 2': 'piano',
    'Acoustic Guitar': 'guitar-acoustic', Piano: 'piano', 'Piano right hand': 'piano',
    Soprano: 'piano', 'Choir Bass': 'piano', Organ: 'piano', Theremin: 'piano',
  };
  for (const [name, sound] of Object.entries(cases)) {
    assert.equal(soundFor({ name }), sound, name);
  }
  assert.equal(soundFor({ name: 'Part 1', instrument: 'cello' }), 'cello', 'the instrument field counts');
  assert.equal(soundFor({ name: 'Violin', instrument: 'piano' }), 'violin', 'the default instrument defers to the name');
});
